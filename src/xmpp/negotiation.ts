// Stream negotiation (RFC 6120 §4-§7): open -> STARTTLS (required) -> SASL -> restart -> bind.
// Credentials never leave the device before the TLS upgrade has verified the server.

import { createElement as xml, type Element } from "ltx";
import { authenticate, type SaslOptions } from "./authentication.js";
import { bindResource, establishSession } from "./bind.js";
import { NegotiationError, XMPPError } from "./error.js";
import type { Jid } from "./jid.js";
import { NS } from "./namespaces.js";
import type { XmppStream } from "./stream.js";

export type NegotiationStep = "secure" | "authenticated" | "bound";

export interface NegotiationOptions extends SaslOptions {
  jid: Jid;
  /** How long to wait for each answer of the server. */
  timeoutMs: number;
  /** Stanza ids for the bind and session requests. */
  nextId(): string;
  onStep?(step: NegotiationStep, detail: string): void;
}

/** Runs the whole negotiation on an open connection; resolves with the bound full JID. */
export async function negotiate(stream: XmppStream, options: NegotiationOptions): Promise<Jid> {
  const domain = options.jid.domain;
  let features = await restart(stream, options.timeoutMs);

  if (!features.getChild("starttls", NS.TLS)) {
    throw new NegotiationError(
      "policy-violation",
      `${domain} does not offer STARTTLS, and this device never sends credentials over an unencrypted stream; ` +
        "enable TLS on the server (a certificate for the domain, and c2s_require_encryption = true in Prosody)",
    );
  }
  stream.send(xml("starttls", { xmlns: NS.TLS }));
  const answer = await stream.next(options.timeoutMs, "the answer to <starttls/>");
  if (!answer.is("proceed", NS.TLS)) {
    throw new NegotiationError("policy-violation", `${domain} refused STARTTLS (<${answer.name}/>); not logging in without TLS`);
  }
  try {
    await stream.startTLS(domain);
  } catch (error) {
    throw new NegotiationError("policy-violation", `the TLS upgrade with ${domain} failed: ${messageOf(error)}`);
  }
  options.onStep?.("secure", domain);

  features = await restart(stream, options.timeoutMs);
  const offered = features.getChild("mechanisms", NS.SASL)?.getChildren("mechanism").map((m) => m.text().trim()) ?? [];
  const mechanism = await authenticate(stream, offered, options);
  options.onStep?.("authenticated", mechanism);

  features = await restart(stream, options.timeoutMs);
  if (!features.getChild("bind", NS.BIND)) {
    throw new NegotiationError("unsupported-feature", `${domain} offers no resource binding after authentication`);
  }
  const bound = await bindResource(stream, options.jid.resource, options.nextId(), options.timeoutMs);
  const session = features.getChild("session", NS.SESSION);
  if (session && !session.getChild("optional")) await establishSession(stream, options.nextId(), options.timeoutMs);
  options.onStep?.("bound", bound.toString());
  return bound;
}

/** Opens (or reopens) the stream and reads the server's features. */
async function restart(stream: XmppStream, timeoutMs: number): Promise<Element> {
  stream.open();
  const features = await stream.next(timeoutMs, "the stream features");
  if (!features.is("features", NS.STREAM) && features.name !== "stream:features") {
    throw new NegotiationError("unsupported-stanza-type", `expected <stream:features/>, got <${features.name}/>`);
  }
  const version = stream.header?.version;
  if (version !== undefined && !version.startsWith("1.")) {
    throw new NegotiationError("unsupported-version", `the server speaks XMPP stream version ${version}, not 1.x`);
  }
  return features;
}

function messageOf(error: unknown): string {
  if (error instanceof XMPPError) return error.text || error.message;
  return error instanceof Error ? error.message : String(error);
}
