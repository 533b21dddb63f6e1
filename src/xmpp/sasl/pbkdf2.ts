// PBKDF2 (RFC 8018) as SCRAM's Hi() (RFC 5802 §2.2): the host's own where it has one, else
// over the host's HMAC in JavaScript, and a cache of its results: 4,096 iterations are 4,096
// HMACs, seconds of work in JavaScript on an ESP32 that a reconnect should not repeat.

import type { DigestAlgorithm, Host } from "../../host.js";

/** Bytes of a derived key one digest long. */
const KEY_LENGTH: Record<DigestAlgorithm, number> = { "SHA-1": 20, "SHA-256": 32 };

function checkIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`PBKDF2 needs a whole number of iterations of at least 1, not ${iterations}`);
  }
}

/**
 * SCRAM's salted password Hi(password, salt, iterations): through `host.pbkdf2` when the host
 * has one (a native derivation is tens of times faster than one host call per HMAC), through
 * `pbkdf2()` over `host.hmac` otherwise. Throws when the host's answer is not one digest long,
 * since a wrong key would only show up later as a login the server refuses.
 */
export function saltedPassword(
  host: Pick<Host, "hmac" | "pbkdf2">,
  algorithm: DigestAlgorithm,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Uint8Array {
  if (host.pbkdf2 === undefined) return pbkdf2(host, algorithm, password, salt, iterations);
  checkIterations(iterations);
  const key = host.pbkdf2(algorithm, password, salt, iterations);
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH[algorithm]) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new Error(`the host's pbkdf2 gave ${got} for PBKDF2-HMAC-${algorithm}, which needs ${KEY_LENGTH[algorithm]} bytes: fix the host's pbkdf2 or leave it out to use the JavaScript one`);
  }
  return key;
}

/**
 * PBKDF2-HMAC in JavaScript over `host.hmac`, the fallback for hosts without `pbkdf2`, with a
 * derived key one digest long, which is all SCRAM needs: a single block, U1 = HMAC(password, salt || 0x00000001), Ui = HMAC(password, Ui-1), result U1 ^ ... ^ Uc.
 */
export function pbkdf2(
  host: Pick<Host, "hmac">,
  algorithm: DigestAlgorithm,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Uint8Array {
  checkIterations(iterations);
  const first = new Uint8Array(salt.length + 4);
  first.set(salt);
  first[salt.length + 3] = 1; // block index 1, big-endian
  let u = host.hmac(algorithm, password, first);
  const result = u.slice();
  for (let i = 1; i < iterations; i++) {
    u = host.hmac(algorithm, password, u);
    for (let k = 0; k < result.length; k++) result[k] ^= u[k];
  }
  return result;
}

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += (b < 16 ? "0" : "") + b.toString(16);
  return text;
}

/**
 * Salted passwords already derived, most recently used last. Keep one per client so that
 * reconnecting to the same account costs no iterations. The key holds a SHA-256 digest of
 * the password, never the password itself, so the cache adds no cleartext to memory dumps
 * or logs (the salted password it stores is itself a credential for that server, as the
 * password is: hold the cache no longer than the password).
 */
export class SaltedPasswordCache {
  readonly #host: Pick<Host, "hmac" | "digest" | "pbkdf2">;
  readonly #capacity: number;
  readonly #entries = new Map<string, Uint8Array>();

  constructor(host: Pick<Host, "hmac" | "digest" | "pbkdf2">, capacity = 4) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a SaltedPasswordCache holds at least 1 entry, not ${capacity}`);
    this.#host = host;
    this.#capacity = capacity;
  }

  /** The salted password Hi(password, salt, iterations), derived now or remembered. */
  derive(algorithm: DigestAlgorithm, password: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
    const key = `${algorithm} ${iterations} ${hex(salt)} ${hex(this.#host.digest("SHA-256", password))}`;
    let salted = this.#entries.get(key);
    if (salted === undefined) {
      salted = saltedPassword(this.#host, algorithm, password, salt, iterations);
      if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    } else {
      this.#entries.delete(key); // re-inserted below as the most recently used
    }
    this.#entries.set(key, salted);
    return salted.slice(); // the caller may overwrite its copy
  }

  /** Forgets every salted password, e.g. when the configured password changes. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
