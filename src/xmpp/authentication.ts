// The SASL exchange over the stream (RFC 6120 §6): auth, challenge/response, success or failure.

import { createElement as xml, type Element } from "ltx";
import type { Host } from "../host.js";
import { decodeBase64, encodeBase64 } from "./sasl/base64.js";
import { SASLError } from "./sasl/error.js";
import type { SASLMechanism } from "./sasl/mechanism.js";
import { createMechanism, type MechanismName } from "./sasl/mechanisms.js";
import type { FastMechanismName } from "./fast.js";
import type { SaltedPasswordCache } from "./sasl/pbkdf2.js";
import { XMPPError } from "./error.js";
import { NS } from "./namespaces.js";
import type { XmppStream } from "./stream.js";

export interface SaslOptions {
  host: Host;
  username: string;
  password: string;
  /** Keeps SCRAM's salted password across reconnects. */
  cache?: SaltedPasswordCache;
  timeoutMs: number;
}

/** An exchange begun: its mechanism, and the <auth/> that opens it (sent by the caller, pipelined or not). */
export interface SaslExchange {
  /** A SASL mechanism, or an HT one of FAST (XEP-0484, SASL2 only). */
  readonly name: MechanismName | FastMechanismName;
  readonly mechanism: SASLMechanism;
  /** The initial response, in base64 (SASL2 carries it in <initial-response/>). */
  readonly initial: string;
  readonly auth: Element;
}

/** Makes the exchange of `name` and its <auth/>; nothing is sent yet. */
export function beginAuthentication(name: MechanismName, options: SaslOptions): SaslExchange {
  const mechanism = createMechanism(name, options);
  const initial = payload(mechanism.initialResponse());
  return { name, mechanism, initial, auth: xml("auth", { xmlns: NS.SASL, mechanism: name }, initial) };
}

/** SASL (RFC 6120) or SASL2 (XEP-0388): the same challenges and responses, in their own namespace. */
export const SASL2_NS = "urn:xmpp:sasl:2";

/**
 * Carries an exchange whose <auth/> (or SASL2 <authenticate/>) was sent to its end: challenges
 * answered, the server's proof checked. Resolves with the <success/>, which SASL2 fills with
 * what was done inline (the bound JID, a resumed session).
 */
export async function finishAuthentication(stream: XmppStream, { name, mechanism }: SaslExchange, options: SaslOptions, ns: string = NS.SASL): Promise<Element> {
  const what = ns === NS.SASL ? `SASL ${name}` : `SASL2 ${name}`;
  for (;;) {
    const answer = await stream.next(options.timeoutMs, `the server's answer to ${what}`);
    if (answer.is("challenge", ns)) {
      stream.send(xml("response", { xmlns: ns }, payload(mechanism.challenge(decode(answer.text().trim())))));
    } else if (answer.is("success", ns)) {
      const data = (ns === NS.SASL ? answer.text() : answer.getChildText("additional-data") ?? "").trim();
      mechanism.verify(data && data !== "=" ? decode(data) : null);
      return answer;
    } else if (answer.is("failure", ns)) {
      const { condition, text } = XMPPError.partsOf(answer, NS.SASL);
      throw new SASLError(condition, failureText(condition, text, options.username));
    } else {
      throw new SASLError("malformed-request", `unexpected <${answer.name}/> during ${what}`);
    }
  }
}

/**
 * Ends an exchange begun before the server's mechanisms were known, once they show it is not
 * the one to use: its first answer is read (a <failure/> when the server does not offer it, a
 * <challenge/> otherwise, which <abort/> ends). No password was used: SCRAM's first message
 * carries only the name and a nonce.
 */
export async function abandonAuthentication(stream: XmppStream, { name }: SaslExchange, timeoutMs: number, ns: string = NS.SASL): Promise<void> {
  let answer = await stream.next(timeoutMs, `the server's answer to SASL ${name}`);
  if (answer.is("challenge", ns)) {
    stream.send(xml("abort", { xmlns: ns }));
    answer = await stream.next(timeoutMs, `the server's answer to aborting SASL ${name}`);
  }
  if (!answer.is("failure", ns)) {
    throw new SASLError("malformed-request", `unexpected <${answer.name}/> after SASL ${name} was given up`);
  }
}

function payload(bytes: Uint8Array): string {
  // RFC 6120 §6.4.2: an empty response is sent as "=" so it differs from no response.
  return bytes.length === 0 ? "=" : encodeBase64(bytes);
}

function decode(text: string): Uint8Array {
  try {
    return decodeBase64(text);
  } catch (error) {
    throw new SASLError("incorrect-encoding", `the server sent invalid base64 in SASL: ${(error as Error).message}`);
  }
}

function failureText(condition: string, text: string, username: string): string {
  const said = text ? ` (the server said: ${text})` : "";
  if (condition === "not-authorized") return `the server rejected the credentials of ${username}: check jid and xmpp_password${said}`;
  if (condition === "account-disabled") return `the account ${username} is disabled on the server${said}`;
  return `authentication failed: ${condition}${said}`;
}
