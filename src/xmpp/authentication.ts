// The SASL exchange over the stream (RFC 6120 §6): auth, challenge/response, success or failure.

import { createElement as xml } from "ltx";
import type { Host } from "../host.js";
import { decodeBase64, encodeBase64 } from "./sasl/base64.js";
import { SASLError } from "./sasl/error.js";
import { chooseMechanism, createMechanism } from "./sasl/mechanisms.js";
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

/** Authenticates with the best mechanism on offer; resolves with its name, rejects with a SASLError. */
export async function authenticate(stream: XmppStream, offered: string[], options: SaslOptions): Promise<string> {
  const name = chooseMechanism(offered, { secure: stream.secure });
  const mechanism = createMechanism(name, options);
  stream.send(xml("auth", { xmlns: NS.SASL, mechanism: name }, payload(mechanism.initialResponse())));
  for (;;) {
    const answer = await stream.next(options.timeoutMs, `the server's answer to SASL ${name}`);
    const data = answer.text().trim();
    if (answer.is("challenge", NS.SASL)) {
      stream.send(xml("response", { xmlns: NS.SASL }, payload(mechanism.challenge(decode(data)))));
    } else if (answer.is("success", NS.SASL)) {
      mechanism.verify(data && data !== "=" ? decode(data) : null);
      return name;
    } else if (answer.is("failure", NS.SASL)) {
      const { condition, text } = XMPPError.partsOf(answer, NS.SASL);
      throw new SASLError(condition, failureText(condition, text, options.username));
    } else {
      throw new SASLError("malformed-request", `unexpected <${answer.name}/> during SASL ${name}`);
    }
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
