// Published PBKDF2 vectors (RFC 6070 for HMAC-SHA-1, RFC 7914 §11 and the widely used
// "password"/"salt" set for HMAC-SHA-256), cut to one digest's length: SCRAM derives a single
// block, and the first block of a longer key is exactly that block.

import type { DigestAlgorithm } from "./digest.js";

export interface Pbkdf2Vector {
  /** Where the vector is published, for the failure message. */
  source: string;
  algorithm: DigestAlgorithm;
  password: string;
  salt: string;
  iterations: number;
  /** The first bytes of the published key, in hex (the whole first block, or less when the published key is shorter). */
  key: string;
}

export const PBKDF2_VECTORS: readonly Pbkdf2Vector[] = [
  { source: "RFC 6070 #1", algorithm: "SHA-1", password: "password", salt: "salt", iterations: 1, key: "0c60c80f961f0e71f3a9b524af6012062fe037a6" },
  { source: "RFC 6070 #2", algorithm: "SHA-1", password: "password", salt: "salt", iterations: 2, key: "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957" },
  { source: "RFC 6070 #3", algorithm: "SHA-1", password: "password", salt: "salt", iterations: 4096, key: "4b007901b765489abead49d926f721d065a429c1" },
  { source: "RFC 6070 #5", algorithm: "SHA-1", password: "passwordPASSWORDpassword", salt: "saltSALTsaltSALTsaltSALTsaltSALTsalt", iterations: 4096, key: "3d2eec4fe41c849b80c8d83662c0e44a8b291a96" },
  { source: "RFC 6070 #6", algorithm: "SHA-1", password: "pass\0word", salt: "sa\0lt", iterations: 4096, key: "56fa6aa75548099dcc37d7f03425e0c3" },
  { source: "RFC 7914 §11 #1", algorithm: "SHA-256", password: "passwd", salt: "salt", iterations: 1, key: "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" },
  { source: "PBKDF2-HMAC-SHA256 c=1", algorithm: "SHA-256", password: "password", salt: "salt", iterations: 1, key: "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
  { source: "PBKDF2-HMAC-SHA256 c=2", algorithm: "SHA-256", password: "password", salt: "salt", iterations: 2, key: "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
  { source: "PBKDF2-HMAC-SHA256 c=4096", algorithm: "SHA-256", password: "password", salt: "salt", iterations: 4096, key: "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
];

/**
 * RFC 7914 §11 #2, 80,000 iterations: seconds for the pure-JS test digests on XS, so only the
 * Node suites, whose HMAC is node:crypto's, run it.
 */
export const PBKDF2_LONG_VECTOR: Pbkdf2Vector = {
  source: "RFC 7914 §11 #2",
  algorithm: "SHA-256",
  password: "Password",
  salt: "NaCl",
  iterations: 80_000,
  key: "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56",
};

/** The bytes of a vector's password or salt (ASCII and NUL only). */
export const vectorBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The key in hex, cut to the vector's length. */
export function vectorKey(vector: Pbkdf2Vector, key: Uint8Array): string {
  return Array.from(key.subarray(0, vector.key.length / 2), (b) => b.toString(16).padStart(2, "0")).join("");
}
