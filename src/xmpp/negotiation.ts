// Stream negotiation (RFC 6120 §4-§7): open -> STARTTLS (required) -> SASL -> restart -> bind,
// or resume a stream-managed session (XEP-0198) in place of binding. Credentials never leave the
// device before the TLS upgrade has verified the server; every step has a time limit.

import { createElement as xml, type Element } from "ltx";
import { CertificateError } from "../host.js";
import { authenticate, type SaslOptions } from "./authentication.js";
import { bindResource, establishSession } from "./bind.js";
import { NegotiationError, TimeoutError, XMPPError } from "./error.js";
import type { Jid } from "./jid.js";
import { NS } from "./namespaces.js";
import type { XmppStream } from "./stream.js";
import { enableStreamManagement, resumeStreamManagement, SM_NS, type StreamManagement } from "./stream-management.js";

export type NegotiationStep = "secure" | "authenticated" | "bound";

/** The outcome of a negotiation: the stream is ready for stanzas. */
export interface Negotiated {
  /** The full JID of the session (the old one when resumed). */
  jid: Jid;
  /** True when a stream-managed session was resumed: presence and roster are as they were. */
  resumed: boolean;
  /** Stanzas to send now, in order: the resumed session's unacknowledged ones, or a lost session's messages. */
  resend: Element[];
  /** Why a resumption was tried and refused, when it was. */
  resumeRefused?: string;
}

export interface NegotiationOptions extends SaslOptions {
  jid: Jid;
  /** How long to wait for each answer of the server. */
  timeoutMs: number;
  /** Stanza ids for the bind and session requests. */
  nextId(): string;
  onStep?(step: NegotiationStep, detail: string): void;
  /** Stream management (XEP-0198): enabled when the server offers it; a held session is resumed. */
  streamManagement?: StreamManagement;
}

/** Runs the whole negotiation on an open connection. */
export async function negotiate(stream: XmppStream, options: NegotiationOptions): Promise<Negotiated> {
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
    await withTimeLimit(options, stream.startTLS(domain), "the TLS handshake");
  } catch (error) {
    // Only the certificate is a person's problem; a cut, a reset or a silent server during the
    // handshake is the network's, and the caller retries it.
    if (error instanceof CertificateError) {
      throw new NegotiationError("policy-violation", `the TLS upgrade with ${domain} failed: ${messageOf(error)}`);
    }
    if (error instanceof TimeoutError) throw error;
    throw new XMPPError("remote-connection-failed", `the TLS handshake with ${domain} did not complete: ${messageOf(error)}`);
  }
  options.onStep?.("secure", domain);

  features = await restart(stream, options.timeoutMs);
  const offered = features.getChild("mechanisms", NS.SASL)?.getChildren("mechanism").map((m) => m.text().trim()) ?? [];
  const mechanism = await authenticate(stream, offered, options);
  options.onStep?.("authenticated", mechanism);

  features = await restart(stream, options.timeoutMs);
  const sm = options.streamManagement;
  const smOffered = features.getChild("sm", SM_NS) !== undefined;
  let resend: Element[] = [];
  let resumeRefused: string | undefined;
  if (sm?.resumable && smOffered) {
    const outcome = await resumeStreamManagement(stream, sm, options.timeoutMs);
    if (outcome.resumed) {
      return { jid: sm.state!.jid, resumed: true, resend: outcome.resend };
    }
    resend = outcome.unsent;
    resumeRefused = outcome.reason;
  } else if (sm?.state) {
    resend = sm.failed(); // the window passed, or the server no longer offers stream management
  }
  if (!features.getChild("bind", NS.BIND)) {
    throw new NegotiationError("unsupported-feature", `${domain} offers no resource binding after authentication`);
  }
  const bound = await bindResource(stream, options.jid.resource, options.nextId(), options.timeoutMs);
  const session = features.getChild("session", NS.SESSION);
  if (session && !session.getChild("optional")) await establishSession(stream, options.nextId(), options.timeoutMs);
  if (sm && smOffered) await enableStreamManagement(stream, sm, bound, options.timeoutMs);
  options.onStep?.("bound", bound.toString());
  return resumeRefused === undefined ? { jid: bound, resumed: false, resend } : { jid: bound, resumed: false, resend, resumeRefused };
}

/** Rejects with a TimeoutError when `work` takes longer than the negotiation's time limit. */
function withTimeLimit<T>(options: NegotiationOptions, work: Promise<T>, what: string): Promise<T> {
  const { host, timeoutMs } = options;
  return new Promise<T>((resolve, reject) => {
    const timer = host.setTimeout(() => reject(new TimeoutError(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
    work.then(
      (value) => {
        host.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        host.clearTimeout(timer);
        reject(error);
      },
    );
  });
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
