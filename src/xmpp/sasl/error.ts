// The one error type of SASL authentication: a condition a program can act on, and a text
// for the person reading the log.

import { XMPPError } from "../error.js";

/**
 * Conditions a server reports in `<failure/>` (RFC 6120 §6.5), plus the ones this client
 * detects itself:
 * - `no-acceptable-mechanism`: the server offers nothing this device may use;
 * - `invalid-credentials`: the configured username or password cannot be sent (SASLprep
 *   prohibits a character in it, or the username is empty);
 * - `invalid-server-message`: the server broke the mechanism's protocol (a malformed
 *   challenge, a nonce that does not extend ours, a weak iteration count, ...);
 * - `server-signature-mismatch`: the server did not prove that it knows the password, so it
 *   may be an impostor;
 * - `server-error`: the server ended a SCRAM exchange with an error (`e=`) that is not a
 *   rejection of the credentials (those are reported as `not-authorized`).
 */
export type SASLCondition =
  | "aborted"
  | "account-disabled"
  | "credentials-expired"
  | "encryption-required"
  | "incorrect-encoding"
  | "invalid-authzid"
  | "invalid-mechanism"
  | "malformed-request"
  | "mechanism-too-weak"
  | "not-authorized"
  | "temporary-auth-failure"
  | "no-acceptable-mechanism"
  | "invalid-credentials"
  | "invalid-server-message"
  | "server-signature-mismatch"
  | "server-error";

/** One of the XMPPError family: code that handles XMPP errors handles SASL's too. */
export class SASLError extends XMPPError {
  // A field, not an assignment in the constructor: Error.prototype is frozen on XS once
  // preloaded, and assigning over an inherited frozen property throws there.
  override readonly name: string = "SASLError";
  declare readonly condition: SASLCondition | string;

  constructor(condition: SASLCondition | string, text = "") {
    super(condition, text);
  }
}
