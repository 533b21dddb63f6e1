// SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: the client
// proves it knows the password without sending it, and the server must prove it too.

import type { DigestAlgorithm } from "../../host.js";
import { encodeUtf8 } from "../../xml/utf8.js";
import { encodeBase64 } from "./base64.js";
import { SASLError } from "./error.js";
import type { Credentials, SASLHost, SASLMechanism } from "./mechanism.js";
import { saltedPassword, type SaltedPasswordCache } from "./pbkdf2.js";
import { saslprep } from "./saslprep.js";
import { invalid, parseServerFinal, parseServerFirst, PRINTABLE, quote } from "./scram-messages.js";

export interface ScramOptions extends Credentials {
  host: SASLHost;
  /** Remembers salted passwords across attempts; without one, every attempt derives anew. */
  cache?: SaltedPasswordCache;
  /** Makes the client nonce; by default 18 random bytes of the host, in base64. */
  nonce?: () => string;
  /**
   * Fewest iterations accepted, 4096 by default: the RFCs' minimum. A lower count makes the
   * password cheap to guess from a captured exchange, and an impostor would ask for one.
   */
  minIterations?: number;
  /**
   * Most iterations accepted, 100,000 by default: each costs an HMAC in JavaScript on a device
   * without a native PBKDF2, and a server asking for millions would hold the device for hours.
   */
  maxIterations?: number;
}

/** No channel binding (TLS channel binding is not available from the hosts), no authzid. */
const GS2_HEADER = "n,,";
const CHANNEL_BINDING = encodeBase64(encodeUtf8(GS2_HEADER)); // "biws"

type State = "initial" | "first-sent" | "final-sent" | "verified" | "failed";

function concat(...parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

export class Scram implements SASLMechanism {
  readonly name: string;
  readonly #algorithm: DigestAlgorithm;
  readonly #options: ScramOptions;
  readonly #username: string;
  readonly #password: Uint8Array;
  #state: State = "initial";
  #nonce = "";
  #clientFirstBare = "";
  #serverSignature: Uint8Array = new Uint8Array(0);

  /** Prepares the credentials at once: throws SASLError "invalid-credentials" when they cannot be sent. */
  constructor(algorithm: DigestAlgorithm, options: ScramOptions) {
    this.name = `SCRAM-${algorithm}`;
    this.#algorithm = algorithm;
    this.#options = options;
    const username = saslprep(options.username, "username");
    if (username === "") throw new SASLError("invalid-credentials", "the username is empty; SCRAM needs the account's name");
    // RFC 5802 §5.1: "," and "=" in a username are sent as "=2C" and "=3D".
    this.#username = username.replace(/[=,]/g, (c) => (c === "=" ? "=3D" : "=2C"));
    this.#password = encodeUtf8(saslprep(options.password, "password"));
  }

  initialResponse(): Uint8Array {
    if (this.#state !== "initial") throw new Error(`${this.name}: an exchange is used once; make a new mechanism for each attempt`);
    this.#state = "failed"; // until this step completes
    const nonce = this.#options.nonce ? this.#options.nonce() : encodeBase64(this.#options.host.randomBytes(18));
    if (!PRINTABLE().test(nonce)) throw new RangeError(`${this.name}: a client nonce is printable ASCII without ",", not ${quote(nonce)}`);
    this.#nonce = nonce;
    this.#clientFirstBare = `n=${this.#username},r=${nonce}`;
    this.#state = "first-sent";
    return encodeUtf8(GS2_HEADER + this.#clientFirstBare);
  }

  challenge(data: Uint8Array): Uint8Array {
    const state = this.#state;
    this.#state = "failed"; // until this step completes: no retry after an error
    if (state === "first-sent") {
      const response = this.#clientFinal(data);
      this.#state = "final-sent";
      return response;
    }
    if (state === "final-sent") {
      // RFC 6120 §6.4.6 lets a server send server-final in a challenge, then an empty <success/>.
      this.#checkServerFinal(data);
      this.#state = "verified";
      return new Uint8Array(0);
    }
    throw invalid(`the server sent a challenge the ${this.name} exchange has no place for`);
  }

  verify(additionalData: Uint8Array | null): void {
    const state = this.#state;
    this.#state = "failed";
    if (state === "final-sent") {
      if (additionalData === null || additionalData.length === 0) {
        throw new SASLError("server-signature-mismatch", "the server reported success without its SCRAM signature, so it has not proved it knows the password");
      }
      this.#checkServerFinal(additionalData);
    } else if (state !== "verified") {
      throw invalid(`the server reported success before the ${this.name} exchange was complete, without proving it knows the password`);
    }
    this.#state = "verified";
  }

  #clientFinal(serverFirst: Uint8Array): Uint8Array {
    const { host, cache, minIterations = 4096, maxIterations = 100_000 } = this.#options;
    const { nonce, salt, iterations } = parseServerFirst(serverFirst, this.#nonce, { minIterations, maxIterations });
    const algorithm = this.#algorithm;
    const salted = cache ? cache.derive(algorithm, this.#password, salt, iterations) : saltedPassword(host, algorithm, this.#password, salt, iterations);
    const withoutProof = `c=${CHANNEL_BINDING},r=${nonce}`;
    // The server's message enters the signature exactly as received.
    const authMessage = concat(encodeUtf8(`${this.#clientFirstBare},`), serverFirst, encodeUtf8(`,${withoutProof}`));
    const clientKey = host.hmac(algorithm, salted, encodeUtf8("Client Key"));
    const clientSignature = host.hmac(algorithm, host.digest(algorithm, clientKey), authMessage);
    const proof = clientKey.map((b, k) => b ^ clientSignature[k]);
    const serverKey = host.hmac(algorithm, salted, encodeUtf8("Server Key"));
    this.#serverSignature = host.hmac(algorithm, serverKey, authMessage);
    return encodeUtf8(`${withoutProof},p=${encodeBase64(proof)}`);
  }

  #checkServerFinal(serverFinal: Uint8Array): void {
    const signature = parseServerFinal(serverFinal, this.name);
    const expected = this.#serverSignature;
    let difference = signature.length ^ expected.length;
    for (let k = 0; k < expected.length; k++) difference |= expected[k] ^ (signature[k] ?? 0);
    if (difference !== 0) {
      throw new SASLError("server-signature-mismatch", "the server's SCRAM signature is wrong: it does not know the password, so it may not be the server it claims to be");
    }
  }
}
