// SASL2 (XEP-0388) with Bind2 (XEP-0386) and inline stream resumption (XEP-0198): one exchange
// authenticates, binds or resumes, and enables stream management, with no stream restart.

import { createElement as xml, type Element } from "ltx";
import { SASL2_NS, type SaslExchange } from "./authentication.js";
import { NegotiationError, XMPPError } from "./error.js";
import { fastElement, readFastOffer, tokenRequest, type FastMechanismName } from "./fast.js";
import { Jid } from "./jid.js";
import { NS } from "./namespaces.js";
import { SM_NS, type StreamManagement } from "./stream-management.js";

export const BIND2_NS = "urn:xmpp:bind:0";

/** What a server offers in `<authentication xmlns='urn:xmpp:sasl:2'/>`: only used with Bind2. */
export interface Sasl2Offer {
  readonly mechanisms: readonly string[];
  /** Stream management can be enabled inside the bind (Bind2's inline features). */
  readonly enableInBind: boolean;
  /** A stream-managed session can be resumed inside <authenticate/>. */
  readonly resume: boolean;
  /** FAST (XEP-0484): the HT mechanisms offered that this device can use; empty: no tokens. */
  readonly fast: readonly FastMechanismName[];
}

/** The SASL2 offer in stream features, when it comes with Bind2 (without it the old flow is as short). */
export function readSasl2Offer(features: Element): Sasl2Offer | undefined {
  const authentication = features.getChild("authentication", SASL2_NS);
  const inline = authentication?.getChild("inline");
  const bind = inline?.getChild("bind", BIND2_NS);
  if (!authentication || !bind) return undefined;
  return {
    mechanisms: authentication.getChildren("mechanism").map((m) => m.text().trim()),
    enableInBind: bind.getChild("inline")?.getChildren("feature").some((f) => f.attrs.var === SM_NS) ?? false,
    resume: inline!.getChild("sm", SM_NS) !== undefined,
    fast: readFastOffer(inline),
  };
}

export interface Sasl2RequestOptions {
  /** The resource asked for: Bind2 takes it as a tag the server builds the resource from. */
  readonly tag: string;
  /** Identifies this device across logins (a UUID), as Bind2 and FAST want. */
  readonly agentId: string;
  readonly software: string;
  readonly streamManagement: StreamManagement | undefined;
  /** FAST: the exchange uses a token, for the `count`th time (XEP-0484 <fast/>). */
  readonly fastCount?: number;
  /** FAST: a (new) token is asked for with the success. */
  readonly requestToken?: FastMechanismName;
}

/** `<authenticate/>`: the exchange's first message, a resumption of the held session when there is one, and a bind (the fallback when the resumption is refused). */
export function sasl2Request(exchange: SaslExchange, offer: Sasl2Offer, options: Sasl2RequestOptions): Element {
  const sm = options.streamManagement;
  const bind = xml("bind", { xmlns: BIND2_NS }, xml("tag", {}, options.tag || options.software));
  if (sm && offer.enableInBind) bind.cnode(sm.enableRequest());
  return xml(
    "authenticate",
    { xmlns: SASL2_NS, mechanism: exchange.name },
    xml("initial-response", {}, exchange.initial),
    xml("user-agent", { id: options.agentId }, xml("software", {}, options.software)),
    ...(options.fastCount === undefined ? [] : [fastElement(options.fastCount)]),
    ...(options.requestToken === undefined ? [] : [tokenRequest(options.requestToken)]),
    ...(sm?.resumable && offer.resume ? [sm.resumeRequest()] : []),
    bind,
  );
}

export interface Sasl2Outcome {
  jid: Jid;
  resumed: boolean;
  resend: Element[];
  resumeRefused?: string;
  /** Stream management was enabled in the bind: `<enabled/>` arrived with the success. */
  enabled: boolean;
}

/** Reads what <success/> says was done inline, and takes it into the stream management state. */
export function readSasl2Success(success: Element, sm: StreamManagement | undefined): Sasl2Outcome {
  const identifier = success.getChildText("authorization-identifier")?.trim();
  const resumed = success.getChild("resumed", SM_NS);
  if (resumed && sm?.state) {
    const jid = sm.state.jid;
    return { jid, resumed: true, resend: sm.resumed(resumed), enabled: false };
  }
  let resend: Element[] = [];
  let resumeRefused: string | undefined;
  const failed = success.getChild("failed", SM_NS);
  if (sm?.state) {
    resumeRefused = failed ? XMPPError.partsOf(failed, NS.STANZAS).condition : "the server offers no resumption inside SASL2";
    resend = sm.failed(failed);
  }
  const bound = success.getChild("bound", BIND2_NS);
  if (!bound || !identifier) {
    throw new NegotiationError("undefined-condition", "the server accepted SASL2 but bound no resource (no <bound/> and full JID in its <success/>)");
  }
  const jid = Jid.parse(identifier);
  if (!jid.resource) throw new NegotiationError("undefined-condition", `the server bound ${identifier}, which is not a full JID`);
  const enabled = bound.getChild("enabled", SM_NS);
  if (enabled && sm) sm.enabled(enabled, jid);
  const outcome: Sasl2Outcome = { jid, resumed: false, resend, enabled: enabled !== undefined };
  if (resumeRefused !== undefined) outcome.resumeRefused = resumeRefused;
  return outcome;
}
