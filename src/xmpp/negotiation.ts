// Stream negotiation (RFC 6120 §4-§7): open -> STARTTLS (required) -> SASL -> restart -> bind,
// or resume a stream-managed session (XEP-0198) in place of binding. Credentials never leave the
// device before the TLS upgrade has verified the server; every step has a time limit.

import { createElement as xml, type Element } from "ltx";
import { CertificateError } from "../host.js";
import { abandonAuthentication, beginAuthentication, finishAuthentication, SASL2_NS, type SaslExchange, type SaslOptions } from "./authentication.js";
import { bindRequest, establishSession, readBound } from "./bind.js";
import { NegotiationError, TimeoutError, XMPPError } from "./error.js";
import { beginFastAuthentication, FAST_MECHANISMS, readIssuedToken, type FastMechanismName, type FastTokenStore } from "./fast.js";
import type { Jid } from "./jid.js";
import { NS } from "./namespaces.js";
import type { XmppStream } from "./stream.js";
import { SASLError } from "./sasl/error.js";
import { readSasl2Offer, readSasl2Success, sasl2Request, type Sasl2Offer } from "./sasl2.js";
import { chooseMechanism, SCRAM_MECHANISMS, type MechanismName } from "./sasl/mechanisms.js";
import { enableStreamManagement, readResumption, SM_NS, type StreamManagement } from "./stream-management.js";

/** The "secure" step's note when the host offered an earlier TLS session and the server made a new one. */
export const TLS_RESUME_REFUSED = "TLS session not resumed: the server no longer has it; full handshake, certificate checked";

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
  /** The SASL mechanism that authenticated: the one to pipeline next time. */
  mechanism: MechanismName;
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
  /** The mechanism the server took last time: its first message leaves with the stream header (default SCRAM-SHA-1). */
  expectedMechanism?: MechanismName;
  /** SASL2 (XEP-0388) with Bind2, when the server offers it: what is remembered of it between logins. */
  sasl2?: Sasl2Memory;
  /** Direct TLS (XEP-0368): the connection is secured before the first stream header, with no STARTTLS. */
  directTls?: boolean;
  /** A faster path was given up for a slower one (one line: what and why). */
  onFallback?(text: string): void;
}

/**
 * Runs the whole negotiation on an open connection, in as few round trips as RFC 6120 allows:
 * what a step sends whatever the server's features say leaves with the stream header, before
 * they are read (<starttls/>; the first SASL message, of the mechanism the server took last
 * time; the bind or resume request), and the features are still checked before the next step.
 */
export async function negotiate(stream: XmppStream, options: NegotiationOptions): Promise<Negotiated> {
  const domain = options.jid.domain;
  if (options.directTls) {
    // XEP-0368: TLS from the first byte, with the checks of STARTTLS; nothing is sent before it.
    await secure(stream, options);
  } else {
    // STARTTLS is required anyway, and <starttls/> carries nothing.
    const features = await restart(stream, options.timeoutMs, [xml("starttls", { xmlns: NS.TLS })]);
    if (!features.getChild("starttls", NS.TLS)) {
      throw new NegotiationError(
        "policy-violation",
        `${domain} does not offer STARTTLS, and this device never sends credentials over an unencrypted stream; ` +
          "enable TLS on the server (a certificate for the domain, and c2s_require_encryption = true in Prosody)",
      );
    }
    const answer = await stream.next(options.timeoutMs, "the answer to <starttls/>");
    if (!answer.is("proceed", NS.TLS)) {
      throw new NegotiationError("policy-violation", `${domain} refused STARTTLS (<${answer.name}/>); not logging in without TLS`);
    }
    await secure(stream, options);
  }
  options.onStep?.("secure", stream.tlsResumed ? `${domain} (TLS session resumed)` : stream.tlsResumeRefused ? `${domain} (${TLS_RESUME_REFUSED})` : domain);

  const sasl2 = options.sasl2;
  // A session to resume goes through SASL2 only where the server resumes inside it; else the
  // RFC 6120 flow's <resume/> keeps it (Prosody 0.12.3 cannot load mod_sasl2_sm).
  const resuming = options.streamManagement?.resumable === true;
  if (sasl2?.offer && (!resuming || sasl2.offer.resume)) return loginWithSasl2(stream, options, sasl2, sasl2.offer);
  const { mechanism, features } = await authenticateOnRestart(stream, options);
  // SASL2 saves a round trip only sent ahead with the header: from the next login on.
  if (sasl2) sasl2.offer = readSasl2Offer(features);
  options.onStep?.("authenticated", mechanism);
  const negotiated = await bindOnRestart(stream, options);
  if (sasl2) sasl2.streamManagement = negotiated.smOffered;
  return { ...negotiated, mechanism };
}

/** What the client remembers of a server's SASL2 between logins; absent: SASL2 is not used. */
export interface Sasl2Memory {
  /** The offer of the last login: the next one sends <authenticate/> with the stream header. */
  offer: Sasl2Offer | undefined;
  /** The server offered stream management after binding last time: enabled after a Bind2 that could not enable it inline. */
  streamManagement: boolean;
  /** Identifies this device to the server across logins (XEP-0388 user-agent; FAST tokens are tied to it). */
  readonly agentId: string;
  /** FAST (XEP-0484) tokens are asked for and used; absent: never. */
  readonly tokens?: FastTokenStore;
  readonly software: string;
}

/**
 * SASL2 with Bind2, sent ahead with the stream header after TLS (the server offered it last
 * time): authentication, binding or resumption, and stream management in one exchange. A held
 * FAST token authenticates in place of SCRAM (one round trip, no key derivation); a refused one
 * is forgotten and SCRAM follows in the same stream. A server that no longer offers SASL2, or
 * fails it for a reason other than the credentials, is forgotten as a SASL2 server and the next
 * attempt uses SASL.
 */
async function loginWithSasl2(stream: XmppStream, options: NegotiationOptions, memory: Sasl2Memory, remembered: Sasl2Offer): Promise<Negotiated> {
  const domain = options.jid.domain;
  const sm = options.streamManagement;
  const tokens = memory.tokens;
  const resend: Element[] = sm?.state && !sm.resumable ? sm.failed() : []; // the window passed
  const requestOptions = { tag: options.jid.resource, agentId: memory.agentId, software: memory.software, streamManagement: sm };
  // What is asked of the success: a token when FAST is offered (a fresh one at each FAST login: rotation).
  const asking = (offer: Sasl2Offer) => (tokens && offer.fast[0] !== undefined ? { requestToken: offer.fast[0] } : {});
  const held = tokens?.token;
  let exchange: SaslExchange | undefined;
  let first: Element | undefined;
  if (held && remembered.fast.includes(held.mechanism)) {
    // Sent only now: the TLS handshake has verified the server's certificate for the domain.
    const fastCount = tokens!.nextUse();
    exchange = beginFastAuthentication(options.host, options.username, held);
    first = sasl2Request(exchange, remembered, { ...requestOptions, fastCount, ...asking(remembered) });
  } else {
    const guess = chooseMechanism(remembered.mechanisms, { secure: stream.secure });
    exchange = SCRAM_MECHANISMS.some((name) => name === guess) ? beginAuthentication(guess, options) : undefined;
    if (exchange) first = sasl2Request(exchange, remembered, { ...requestOptions, ...asking(remembered) });
  }
  const features = await restart(stream, options.timeoutMs, first ? [first] : []);
  const offer = readSasl2Offer(features);
  memory.offer = offer;
  if (!offer) {
    throw new XMPPError("remote-connection-failed", `${domain} no longer offers SASL2 with Bind2, which this login had sent ahead; the next attempt uses SASL`);
  }
  const best = chooseMechanism(offer.mechanisms, { secure: stream.secure });
  if (exchange && !isFast(exchange) && exchange.name !== best) {
    await abandonAuthentication(stream, exchange, options.timeoutMs, SASL2_NS);
    options.onFallback?.(`${domain} now offers ${offer.mechanisms.join(", ")}: SASL2 ${exchange.name}, sent before the offer was read, was given up for ${best}`);
    exchange = undefined;
  }
  if (!exchange) {
    exchange = beginAuthentication(best, options);
    stream.send(sasl2Request(exchange, offer, { ...requestOptions, ...asking(offer) }));
  }
  let success: Element;
  try {
    success = await finishAuthentication(stream, exchange, options, SASL2_NS);
  } catch (error) {
    if (!isFast(exchange) || !(error instanceof SASLError)) throw sasl2Failure(error, memory, domain);
    // The token is refused (expired, revoked, unknown to a server that lost its data) or the
    // server did not prove it holds it: either way it is forgotten.
    tokens!.drop();
    if (error.condition === "server-signature-mismatch") {
      throw new XMPPError("remote-connection-failed", `${domain} accepted the FAST token without proving it holds it: the token is forgotten and the next attempt uses SCRAM`);
    }
    options.onFallback?.(`${domain} refused the FAST token (${error.condition}): it is forgotten, and SASL2 ${best} follows in the same stream`);
    exchange = beginAuthentication(best, options);
    stream.send(sasl2Request(exchange, offer, { ...requestOptions, ...asking(offer) }));
    try {
      success = await finishAuthentication(stream, exchange, options, SASL2_NS);
    } catch (again) {
      throw sasl2Failure(again, memory, domain);
    }
  }
  options.onStep?.("authenticated", `${exchange.name} (SASL2)`);
  if (tokens && offer.fast[0] !== undefined) {
    const issued = readIssuedToken(success, offer.fast[0]);
    if (issued) tokens.replace(issued, offer);
    if (tokens.writeError !== undefined) options.onFallback?.(tokens.writeError);
  }
  const mechanism: MechanismName = isFast(exchange) ? (options.expectedMechanism ?? best) : (exchange.name as MechanismName);
  const outcome = readSasl2Success(success, sm);
  if (outcome.resumed) return { jid: outcome.jid, resumed: true, resend: outcome.resend, mechanism };
  if (sm && !outcome.enabled && memory.streamManagement) {
    stream.send(sm.enableRequest()); // its answer is taken when it comes (StreamManagement.receive)
    sm.enabling(outcome.jid);
  }
  options.onStep?.("bound", `${outcome.jid.toString()} (Bind2)`);
  const negotiated: Negotiated = { jid: outcome.jid, resumed: false, resend: [...resend, ...outcome.resend], mechanism };
  if (outcome.resumeRefused !== undefined) negotiated.resumeRefused = outcome.resumeRefused;
  return negotiated;
}

function isFast(exchange: SaslExchange): exchange is SaslExchange & { name: FastMechanismName } {
  return FAST_MECHANISMS.some((name) => name === exchange.name);
}

/** A SASL2 failure that is not the credentials' makes the next attempt use SASL; the others are thrown as they are. */
function sasl2Failure(error: unknown, memory: Sasl2Memory, domain: string): unknown {
  if (error instanceof SASLError && !isCredentialFailure(error)) {
    memory.offer = undefined;
    return new XMPPError("remote-connection-failed", `${domain} failed SASL2 (${error.message}); the next attempt uses SASL`);
  }
  return error;
}

/** Failures a person must fix (the password, a disabled account): SASL would fail the same way. */
function isCredentialFailure(error: SASLError): boolean {
  return error.condition === "not-authorized" || error.condition === "account-disabled" || error.condition === "credentials-expired" || error.condition === "server-signature-mismatch";
}

/** The TLS handshake (STARTTLS or direct), the server's certificate checked for the JID's domain by the host. */
async function secure(stream: XmppStream, options: NegotiationOptions): Promise<void> {
  const domain = options.jid.domain;
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
}

/** The SCRAM guessed before the features are read when the caller knows none: what Prosody offers. */
const FIRST_GUESS = "SCRAM-SHA-1";

/**
 * Restarts the stream after TLS with the first message of the expected SCRAM (a name and a
 * nonce: the password is not used until the server has answered), then reads the offer: when
 * the best mechanism offered is another, the guess is given up and that one is used.
 */
async function authenticateOnRestart(stream: XmppStream, options: NegotiationOptions): Promise<{ mechanism: MechanismName; features: Element }> {
  const expected = options.expectedMechanism ?? FIRST_GUESS;
  let exchange = SCRAM_MECHANISMS.some((name) => name === expected) ? beginAuthentication(expected, options) : undefined;
  const features = await restart(stream, options.timeoutMs, exchange ? [exchange.auth] : []);
  const offered = features.getChild("mechanisms", NS.SASL)?.getChildren("mechanism").map((m) => m.text().trim()) ?? [];
  const best = chooseMechanism(offered, { secure: stream.secure });
  if (exchange && exchange.name !== best) {
    await abandonAuthentication(stream, exchange, options.timeoutMs);
    // A first guess that misses is how the device learns the server; a remembered one that
    // misses means the server changed, which is worth a line.
    if (options.expectedMechanism !== undefined) {
      options.onFallback?.(`${options.jid.domain} now offers ${offered.join(", ")}: SASL ${exchange.name}, which it took last time and which was sent before the offer was read, was given up for ${best}`);
    }
    exchange = undefined;
  }
  if (!exchange) {
    exchange = beginAuthentication(best, options);
    stream.send(exchange.auth);
  }
  await finishAuthentication(stream, exchange, options);
  return { mechanism: exchange.name as MechanismName, features };
}

/**
 * Restarts the stream after SASL with the request to resume the held session (XEP-0198), or
 * else to bind a resource; stream management is enabled without waiting for its answer.
 */
async function bindOnRestart(stream: XmppStream, options: NegotiationOptions): Promise<Omit<Negotiated, "mechanism"> & { smOffered: boolean }> {
  const domain = options.jid.domain;
  const sm = options.streamManagement;
  let resend: Element[] = [];
  let resumeRefused: string | undefined;
  let features: Element;
  const bindId = options.nextId();
  if (sm?.resumable) {
    features = await restart(stream, options.timeoutMs, [sm.resumeRequest()]);
    if (!features.getChild("sm", SM_NS)) {
      sm.failed(); // the next attempt binds a fresh session
      throw new XMPPError("remote-connection-failed", `${domain} no longer offers stream management, so the session held for resumption is gone; the next attempt starts a fresh one`);
    }
    const outcome = await readResumption(stream, sm, options.timeoutMs);
    if (outcome.resumed) return { jid: sm.state!.jid, resumed: true, resend: outcome.resend, smOffered: true };
    resend = outcome.unsent;
    resumeRefused = outcome.reason;
    // Bound in the stream that refused the resumption: its features still hold.
    stream.send(bindRequest(options.jid.resource, bindId));
  } else {
    if (sm?.state) resend = sm.failed(); // the window passed
    features = await restart(stream, options.timeoutMs, [bindRequest(options.jid.resource, bindId)]);
  }
  if (!features.getChild("bind", NS.BIND)) {
    throw new NegotiationError("unsupported-feature", `${domain} offers no resource binding after authentication`);
  }
  const smOffered = features.getChild("sm", SM_NS) !== undefined;
  const session = features.getChild("session", NS.SESSION);
  const sessionRequired = session !== undefined && !session.getChild("optional");
  // <enable/> goes before the bind result is read (the server handles it after the bind), unless
  // a legacy session must be established first.
  if (sm && smOffered && !sessionRequired) stream.send(sm.enableRequest());
  const bound = await readBound(stream, bindId, options.timeoutMs);
  if (sessionRequired) await establishSession(stream, options.nextId(), options.timeoutMs);
  if (sm && smOffered) {
    if (sessionRequired) await enableStreamManagement(stream, sm, bound, options.timeoutMs);
    else sm.enabling(bound);
  }
  options.onStep?.("bound", bound.toString());
  return resumeRefused === undefined ? { jid: bound, resumed: false, resend, smOffered } : { jid: bound, resumed: false, resend, resumeRefused, smOffered };
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

/** Opens (or reopens) the stream, with what is `pipelined` in the same write, and reads the server's features. */
async function restart(stream: XmppStream, timeoutMs: number, pipelined: Element[]): Promise<Element> {
  stream.open(...pipelined);
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
