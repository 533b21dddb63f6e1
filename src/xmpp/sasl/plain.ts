// PLAIN (RFC 4616): the password itself, so the negotiation offers it only over TLS and
// only when the server offers no SCRAM (see mechanisms.ts); this module just encodes.

import { encodeUtf8 } from "../../xml/utf8.js";
import { SASLError } from "./error.js";
import type { Credentials, SASLMechanism } from "./mechanism.js";
import { saslprep } from "./saslprep.js";

export class Plain implements SASLMechanism {
  readonly name = "PLAIN";
  readonly #message: Uint8Array;

  /** Prepares the credentials at once: throws SASLError "invalid-credentials" when they cannot be sent. */
  constructor(credentials: Credentials) {
    // SASLprep also rules out NUL, which would cut the message into the wrong fields.
    const username = saslprep(credentials.username, "username");
    if (username === "") throw new SASLError("invalid-credentials", "the username is empty; PLAIN needs the account's name");
    const password = saslprep(credentials.password, "password");
    // authzid empty: act as the account we authenticate as.
    this.#message = encodeUtf8(`\u0000${username}\u0000${password}`);
  }

  initialResponse(): Uint8Array {
    return this.#message.slice();
  }

  challenge(_data: Uint8Array): Uint8Array {
    throw new SASLError("invalid-server-message", "the server sent a challenge, which PLAIN has no place for");
  }

  verify(_additionalData: Uint8Array | null): void {
    // PLAIN has nothing for the server to prove.
  }
}
