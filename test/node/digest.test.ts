// Cross-checks, on Node only, the pure-JS test digests, the core's PBKDF2 and the SCRAM client
// against node:crypto over many seeded random inputs, which the vectors in test/unit alone cannot
// cover; and the Node host's own pbkdf2 (node:crypto) against the published vectors.

import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { assert } from "../support/assert.js";
import { digest, hmac, sha1, sha256, type DigestAlgorithm } from "../support/digest.js";
import { decodeUtf8, encodeUtf8 } from "../../src/xml/utf8.js";
import { decodeBase64, encodeBase64 } from "../../src/xmpp/sasl/base64.js";
import { PBKDF2_LONG_VECTOR, PBKDF2_VECTORS, vectorBytes, vectorKey } from "../support/pbkdf2-vectors.js";
import { createNodeHost } from "../../hosts/node/host.js";
import { pbkdf2, saltedPassword } from "../../src/xmpp/sasl/pbkdf2.js";
import { Scram } from "../../src/xmpp/sasl/scram.js";

const NODE_NAME = { "SHA-1": "sha1", "SHA-256": "sha256" } as const;

/** mulberry32: the same inputs on every run, so a failure can be reproduced. */
function seeded(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * limit;
  };
}

function randomBytes(random: (limit: number) => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random(256)));
}

const nodeDigest = (algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array => new Uint8Array(createHash(NODE_NAME[algorithm]).update(data).digest());
const nodeHmac = (algorithm: DigestAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array => new Uint8Array(createHmac(NODE_NAME[algorithm], key).update(data).digest());

describe("test digests against node:crypto", () => {
  it("agree on SHA-1, SHA-256 and HMAC for every length from 0 to 200 bytes", () => {
    const random = seeded(5802);
    for (let length = 0; length <= 200; length++) {
      const data = randomBytes(random, length);
      const key = randomBytes(random, Math.floor(random(150)));
      for (const algorithm of ["SHA-1", "SHA-256"] as const) {
        assert.deepEqual(digest(algorithm, data), nodeDigest(algorithm, data), `${algorithm} of ${length} bytes`);
        assert.deepEqual(hmac(algorithm, key, data), nodeHmac(algorithm, key, data), `HMAC-${algorithm}, ${key.length}-byte key, ${length} bytes`);
      }
    }
  });

  it("agree on a million 'a' (FIPS 180)", () => {
    const million = new Uint8Array(1_000_000).fill(0x61);
    assert.equal(Buffer.from(sha1(million)).toString("hex"), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    assert.equal(Buffer.from(sha256(million)).toString("hex"), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("give pbkdf2() the same result as node:crypto's PBKDF2", () => {
    const random = seeded(8018);
    for (let round = 0; round < 40; round++) {
      const password = randomBytes(random, Math.floor(random(100)));
      const salt = randomBytes(random, 1 + Math.floor(random(40)));
      const iterations = 1 + Math.floor(random(30));
      for (const algorithm of ["SHA-1", "SHA-256"] as const) {
        const expected = new Uint8Array(pbkdf2Sync(password, salt, iterations, algorithm === "SHA-1" ? 20 : 32, NODE_NAME[algorithm]));
        assert.deepEqual(pbkdf2({ hmac }, algorithm, password, salt, iterations), expected, `round ${round} ${algorithm}`);
      }
    }
  });
});

describe("the Node host's pbkdf2 (node:crypto)", () => {
  const host = createNodeHost({ ca: "" });

  it("is offered, and matches RFC 6070 and the RFC 7914 / common HMAC-SHA-256 vectors, 80,000 iterations included", () => {
    assert.equal(typeof host.pbkdf2, "function");
    for (const vector of [...PBKDF2_VECTORS, PBKDF2_LONG_VECTOR]) {
      const key = host.pbkdf2!(vector.algorithm, vectorBytes(vector.password), vectorBytes(vector.salt), vector.iterations);
      assert.equal(key.length, vector.algorithm === "SHA-1" ? 20 : 32, vector.source);
      assert.equal(vectorKey(vector, key), vector.key, vector.source);
    }
  });

  it("gives the same keys as the JavaScript fallback over the same host's HMAC, 80,000 iterations included", () => {
    const random = seeded(6070);
    const { source, algorithm, password, salt, iterations } = PBKDF2_LONG_VECTOR;
    assert.equal(vectorKey(PBKDF2_LONG_VECTOR, pbkdf2(host, algorithm, vectorBytes(password), vectorBytes(salt), iterations)), PBKDF2_LONG_VECTOR.key, source);
    for (let round = 0; round < 40; round++) {
      const password = randomBytes(random, Math.floor(random(100)));
      const salt = randomBytes(random, 1 + Math.floor(random(40)));
      const iterations = 1 + Math.floor(random(1000));
      for (const algorithm of ["SHA-1", "SHA-256"] as const) {
        assert.deepEqual(saltedPassword(host, algorithm, password, salt, iterations), pbkdf2(host, algorithm, password, salt, iterations), `round ${round} ${algorithm}`);
      }
    }
  });
});

/** The client-final message and server signature of RFC 5802 §3, computed with node:crypto. */
function reference(algorithm: DigestAlgorithm, password: string, salt: Uint8Array, iterations: number, clientFirstBare: string, serverFirst: string, withoutProof: string) {
  const length = algorithm === "SHA-1" ? 20 : 32;
  const salted = pbkdf2Sync(password, salt, iterations, length, NODE_NAME[algorithm]);
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const clientKey = createHmac(NODE_NAME[algorithm], salted).update("Client Key").digest();
  const storedKey = createHash(NODE_NAME[algorithm]).update(clientKey).digest();
  const signature = createHmac(NODE_NAME[algorithm], storedKey).update(authMessage).digest();
  const proof = clientKey.map((b, i) => b ^ signature[i]);
  const serverKey = createHmac(NODE_NAME[algorithm], salted).update("Server Key").digest();
  return {
    clientFinal: `${withoutProof},p=${Buffer.from(proof).toString("base64")}`,
    serverFinal: `v=${createHmac(NODE_NAME[algorithm], serverKey).update(authMessage).digest("base64")}`,
  };
}

describe("SCRAM against node:crypto", () => {
  it("computes the proof and checks the signature as an independent implementation does", () => {
    const random = seeded(7677);
    const printable = (length: number): string =>
      String.fromCharCode(...Array.from({ length }, () => 0x2d + Math.floor(random(0x7e - 0x2d + 1))));
    for (let round = 0; round < 60; round++) {
      const algorithm = round % 2 === 0 ? "SHA-1" : "SHA-256";
      // ASCII passwords with spaces and punctuation, and some with non-ASCII letters.
      const password = printable(1 + Math.floor(random(30))).replace(/[/]/g, " ") + (round % 5 === 0 ? "ü€" : "");
      const salt = randomBytes(random, 1 + Math.floor(random(32)));
      const iterations = 1 + Math.floor(random(20));
      const clientNonce = printable(8 + Math.floor(random(30)));
      const serverFirst = `r=${clientNonce}${printable(10)},s=${encodeBase64(salt)},i=${iterations}`;
      // Three hosts: the pure-JS one the unit suites use on XS, node:crypto's digests with the
      // core's PBKDF2 over them, and the Node host with its own pbkdf2.
      const nodeHost = createNodeHost({ ca: "" });
      for (const host of [{ digest, hmac }, { digest: nodeDigest, hmac: nodeHmac }, { digest: nodeHost.digest, hmac: nodeHost.hmac, pbkdf2: nodeHost.pbkdf2 }]) {
        const mechanism = new Scram(algorithm, {
          host: { ...host, randomBytes: () => new Uint8Array(0) },
          username: "microwave",
          password,
          nonce: () => clientNonce,
          minIterations: 1,
        });
        const clientFirst = decodeUtf8(mechanism.initialResponse());
        const clientFinal = decodeUtf8(mechanism.challenge(encodeUtf8(serverFirst)));
        const withoutProof = clientFinal.slice(0, clientFinal.indexOf(",p="));
        const expected = reference(algorithm, password, salt, iterations, clientFirst.slice(3), serverFirst, withoutProof);
        assert.equal(clientFinal, expected.clientFinal, `round ${round}`);
        assert.equal(decodeBase64(expected.serverFinal.slice(2)).length, algorithm === "SHA-1" ? 20 : 32);
        mechanism.verify(encodeUtf8(expected.serverFinal));
      }
    }
  });
});
