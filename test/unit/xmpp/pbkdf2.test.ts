// PBKDF2 as SCRAM's Hi(): known vectors, and the cache that spares a reconnect the iterations.

import { assert } from "../../support/assert.js";
import { digest, hmac, type DigestAlgorithm } from "../../support/digest.js";
import { pbkdf2, SaltedPasswordCache } from "../../../src/xmpp/sasl/pbkdf2.js";

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
  it("matches RFC 6070 for PBKDF2-HMAC-SHA1 (dkLen 20)", () => {
    const host = { hmac };
    const p = ascii("password");
    const s = ascii("salt");
    assert.equal(hex(pbkdf2(host, "SHA-1", p, s, 1)), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
    assert.equal(hex(pbkdf2(host, "SHA-1", p, s, 2)), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
    assert.equal(hex(pbkdf2(host, "SHA-1", p, s, 4096)), "4b007901b765489abead49d926f721d065a429c1");
  });

  it("matches PBKDF2-HMAC-SHA256 vectors (dkLen 32)", () => {
    const host = { hmac };
    const p = ascii("password");
    const s = ascii("salt");
    assert.equal(hex(pbkdf2(host, "SHA-256", p, s, 1)), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    assert.equal(hex(pbkdf2(host, "SHA-256", p, s, 2)), "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
    assert.equal(hex(pbkdf2(host, "SHA-256", p, s, 4096)), "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
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

describe("SaltedPasswordCache", () => {
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
