// PBKDF2 as SCRAM's Hi(): known vectors, and the cache that spares a reconnect the iterations.

import { assert } from "../../support/assert.js";
import { digest, hmac, type DigestAlgorithm } from "../../support/digest.js";
import { PBKDF2_VECTORS, vectorBytes, vectorKey } from "../../support/pbkdf2-vectors.js";
import { pbkdf2, saltedPassword, SaltedPasswordCache } from "../../../src/xmpp/sasl/pbkdf2.js";

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** A host whose HMACs are counted. */
function countingHost() {
  const host = {
    hmacs: 0,
    digest,
    hmac(algorithm: DigestAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
      host.hmacs++;
      return hmac(algorithm, key, data);
    },
  };
  return host;
}

describe("pbkdf2", () => {
  it("matches the RFC 6070 (HMAC-SHA-1) and RFC 7914 / common HMAC-SHA-256 vectors in JavaScript over the host's HMAC", () => {
    for (const vector of PBKDF2_VECTORS) {
      const key = pbkdf2({ hmac }, vector.algorithm, vectorBytes(vector.password), vectorBytes(vector.salt), vector.iterations);
      assert.equal(key.length, vector.algorithm === "SHA-1" ? 20 : 32, vector.source);
      assert.equal(vectorKey(vector, key), vector.key, vector.source);
    }
  });

  it("costs one HMAC per iteration", () => {
    const host = countingHost();
    pbkdf2(host, "SHA-1", ascii("p"), ascii("s"), 10);
    assert.equal(host.hmacs, 10);
  });

  it("refuses an iteration count below 1 or not whole", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => pbkdf2({ hmac }, "SHA-1", ascii("p"), ascii("s"), bad), /RangeError: PBKDF2 needs a whole number of iterations/);
    }
  });
});

/** A host with a pbkdf2 of its own (here the JavaScript one, standing in for a native one), whose calls are counted. */
function nativeHost() {
  // Object.assign keeps the counting host itself, whose hmac counts into its own field.
  const host = Object.assign(countingHost(), {
    derivations: [] as Array<[DigestAlgorithm, number]>,
    pbkdf2(algorithm: DigestAlgorithm, password: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
      host.derivations.push([algorithm, iterations]);
      return pbkdf2({ hmac }, algorithm, password, salt, iterations);
    },
  });
  return host;
}

// The vectors of one or two iterations: enough to tell which path derived the key, without
// repeating thousands of iterations of the pure-JS test digests on XS for each test.
const SHORT_VECTORS = PBKDF2_VECTORS.filter((vector) => vector.iterations <= 2);

describe("saltedPassword", () => {
  it("asks the host's pbkdf2 when there is one, once per derivation and without a single HMAC of the core's", () => {
    const host = nativeHost();
    for (const vector of SHORT_VECTORS) {
      const key = saltedPassword(host, vector.algorithm, vectorBytes(vector.password), vectorBytes(vector.salt), vector.iterations);
      assert.equal(vectorKey(vector, key), vector.key, vector.source);
    }
    assert.deepEqual(host.derivations, SHORT_VECTORS.map((vector) => [vector.algorithm, vector.iterations]));
    assert.equal(host.hmacs, 0);
  });

  it("derives in JavaScript over the host's HMAC when the host has no pbkdf2", () => {
    const host = countingHost();
    for (const vector of SHORT_VECTORS) {
      host.hmacs = 0;
      const key = saltedPassword(host, vector.algorithm, vectorBytes(vector.password), vectorBytes(vector.salt), vector.iterations);
      assert.equal(vectorKey(vector, key), vector.key, vector.source);
      assert.equal(host.hmacs, vector.iterations, vector.source);
    }
  });

  it("refuses a host's key that is not one digest long, saying which host call to fix", () => {
    const short = { hmac, pbkdf2: () => new Uint8Array(16) };
    assert.throws(() => saltedPassword(short, "SHA-1", vectorBytes("p"), vectorBytes("s"), 4096), /the host's pbkdf2 gave 16 bytes for PBKDF2-HMAC-SHA-1, which needs 20 bytes/);
    const sha1Length = { hmac, pbkdf2: () => new Uint8Array(20) };
    assert.throws(() => saltedPassword(sha1Length, "SHA-256", vectorBytes("p"), vectorBytes("s"), 4096), /gave 20 bytes for PBKDF2-HMAC-SHA-256, which needs 32 bytes/);
  });

  it("refuses an iteration count below 1 or not whole before asking the host", () => {
    const host = nativeHost();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => saltedPassword(host, "SHA-256", vectorBytes("p"), vectorBytes("s"), bad), /RangeError: PBKDF2 needs a whole number of iterations/);
    }
    assert.deepEqual(host.derivations, []);
  });
});

describe("SaltedPasswordCache", () => {
  it("derives through the host's pbkdf2 when there is one, and only once", () => {
    const host = nativeHost();
    const cache = new SaltedPasswordCache(host);
    const first = cache.derive("SHA-256", vectorBytes("password"), vectorBytes("salt"), 2);
    const again = cache.derive("SHA-256", vectorBytes("password"), vectorBytes("salt"), 2);
    assert.equal(hex(first), "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
    assert.deepEqual(again, first);
    assert.deepEqual(host.derivations, [["SHA-256", 2]]);
    assert.equal(host.hmacs, 0);
  });

  it("derives once and then answers without HMACs", () => {
    const host = countingHost();
    const cache = new SaltedPasswordCache(host);
    const first = cache.derive("SHA-1", ascii("password"), ascii("salt"), 4096);
    assert.equal(host.hmacs, 4096);
    assert.equal(hex(first), "4b007901b765489abead49d926f721d065a429c1");
    host.hmacs = 0;
    const again = cache.derive("SHA-1", ascii("password"), ascii("salt"), 4096);
    assert.equal(host.hmacs, 0);
    assert.deepEqual(again, first);
  });

  it("derives anew when the salt, the count, the password or the digest differs", () => {
    const host = countingHost();
    const cache = new SaltedPasswordCache(host);
    cache.derive("SHA-1", ascii("password"), ascii("salt"), 8);
    for (const [algorithm, password, salt, count] of [
      ["SHA-1", "password", "pepper", 8],
      ["SHA-1", "password", "salt", 9],
      ["SHA-1", "passwore", "salt", 8],
      ["SHA-256", "password", "salt", 8],
    ] as Array<[DigestAlgorithm, string, string, number]>) {
      host.hmacs = 0;
      const salted = cache.derive(algorithm, ascii(password), ascii(salt), count);
      assert.equal(host.hmacs, count, `${algorithm} ${password} ${salt} ${count} is derived`);
      assert.deepEqual(salted, pbkdf2({ hmac }, algorithm, ascii(password), ascii(salt), count));
    }
  });

  it("hands out copies, so a caller cannot spoil the cached value", () => {
    const cache = new SaltedPasswordCache({ digest, hmac });
    const first = cache.derive("SHA-1", ascii("password"), ascii("salt"), 2);
    first.fill(0);
    assert.equal(hex(cache.derive("SHA-1", ascii("password"), ascii("salt"), 2)), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  });

  it("keeps at most its capacity, dropping the least recently used", () => {
    const host = countingHost();
    const cache = new SaltedPasswordCache(host, 2);
    const derive = (salt: string): number => {
      host.hmacs = 0;
      cache.derive("SHA-1", ascii("pw"), ascii(salt), 3);
      return host.hmacs;
    };
    derive("a");
    derive("b");
    assert.equal(derive("a"), 0); // a is now the most recent
    assert.equal(derive("c"), 3); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(derive("a"), 0);
    assert.equal(derive("b"), 3);
  });

  it("matches the password by content, through a digest of it", () => {
    const host = countingHost();
    const digested: Uint8Array[] = [];
    const cache = new SaltedPasswordCache({
      hmac: host.hmac,
      digest(algorithm: DigestAlgorithm, data: Uint8Array) {
        digested.push(data);
        return digest(algorithm, data);
      },
    });
    cache.derive("SHA-1", ascii("pw"), ascii("s"), 3);
    host.hmacs = 0;
    cache.derive("SHA-1", ascii("pw"), ascii("s"), 3); // a new array, the same password
    assert.equal(host.hmacs, 0);
    assert.deepEqual(digested, [ascii("pw"), ascii("pw")]);
  });

  it("refuses a capacity below 1", () => {
    assert.throws(() => new SaltedPasswordCache({ digest, hmac }, 0), /RangeError: a SaltedPasswordCache holds at least 1 entry/);
  });

  it("forgets everything on clear()", () => {
    const host = countingHost();
    const cache = new SaltedPasswordCache(host);
    cache.derive("SHA-1", ascii("pw"), ascii("s"), 3);
    cache.clear();
    host.hmacs = 0;
    cache.derive("SHA-1", ascii("pw"), ascii("s"), 3);
    assert.equal(host.hmacs, 3);
  });
});
