// What every SASL mechanism offers the negotiation (RFC 6120 §6.4): the bytes of <auth/>,
// an answer to each <challenge/>, and a check of what <success/> carries.

import type { Host } from "../../host.js";

/** The part of the host that mechanisms use (`pbkdf2` where the host has one). */
export type SASLHost = Pick<Host, "digest" | "hmac" | "randomBytes" | "pbkdf2">;

export interface Credentials {
  /** The authentication identity: for XMPP, the local part of the account's JID. */
  readonly username: string;
  readonly password: string;
}

/**
 * One authentication exchange; make a new one for each attempt. Each method throws a
 * SASLError when the exchange must stop (the caller then sends <abort/> or closes).
 */
export interface SASLMechanism {
  /** The name offered in <mechanisms/>, e.g. "SCRAM-SHA-256". */
  readonly name: string;
  /** The initial response, sent (base64) in <auth/>. */
  initialResponse(): Uint8Array;
  /** The response, sent in <response/>, to the decoded content of a <challenge/>. */
  challenge(data: Uint8Array): Uint8Array;
  /**
   * Checks the additional data of <success/> (null when it carried none); throws when the
   * server has not proved what the mechanism requires of it. Authentication has succeeded
   * only once this returns.
   */
  verify(additionalData: Uint8Array | null): void;
}
