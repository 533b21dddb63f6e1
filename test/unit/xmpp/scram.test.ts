// SCRAM-SHA-1 and SCRAM-SHA-256: the RFC example exchanges, and every way a server can fail them.

import { assert } from "../../support/assert.js";
import { digest, hmac, type DigestAlgorithm } from "../../support/digest.js";
import { decodeUtf8, encodeUtf8 } from "../../../src/xml/utf8.js";
import { encodeBase64 } from "../../../src/xmpp/sasl/base64.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";
import { SaltedPasswordCache } from "../../../src/xmpp/sasl/pbkdf2.js";
import { Scram, type ScramOptions } from "../../../src/xmpp/sasl/scram.js";

const host = {
  digest,
  hmac,
  randomBytes: (length: number) => Uint8Array.from({ length }, (_, i) => (i * 53 + 7) & 255),
};

// RFC 5802 §5 and RFC 7677 §3.
const SHA1 = {
  nonce: "fyko+d2lbbFgONRv9qkxdawL",
  serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};
const SHA256 = {
  nonce: "rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

const bytes = encodeUtf8;
const text = decodeUtf8;

function scram(algorithm: DigestAlgorithm = "SHA-1", options: Partial<ScramOptions> = {}): Scram {
  const nonce = algorithm === "SHA-1" ? SHA1.nonce : SHA256.nonce;
  return new Scram(algorithm, { host, username: "user", password: "pencil", nonce: () => nonce, ...options });
}

/** A SHA-1 exchange that has sent its client-final message. */
function afterClientFinal(): Scram {
  const mechanism = scram();
  mechanism.initialResponse();
  mechanism.challenge(bytes(SHA1.serverFirst));
  return mechanism;
}

function failsWith(fn: () => unknown, condition: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SASLError, `a SASLError, not ${String(error)}`);
    assert.equal(error.name, "SASLError");
    assert.equal(error.condition, condition, error.message);
    assert.match(error.text, pattern);
    return true;
  });
}

/** The SHA-1 exchange with `serverFirst` in place of the RFC's. */
function withServerFirst(serverFirst: string, options: Partial<ScramOptions> = {}): () => unknown {
  const mechanism = scram("SHA-1", options);
  mechanism.initialResponse();
  return () => mechanism.challenge(bytes(serverFirst));
}

describe("SCRAM", () => {
  it("runs the RFC 5802 SCRAM-SHA-1 example exchange", () => {
    const mechanism = scram("SHA-1");
    assert.equal(mechanism.name, "SCRAM-SHA-1");
    assert.equal(text(mechanism.initialResponse()), `n,,n=user,r=${SHA1.nonce}`);
    assert.equal(text(mechanism.challenge(bytes(SHA1.serverFirst))), SHA1.clientFinal);
    mechanism.verify(bytes(SHA1.serverFinal));
  });

  it("runs the RFC 7677 SCRAM-SHA-256 example exchange", () => {
    const mechanism = scram("SHA-256");
    assert.equal(mechanism.name, "SCRAM-SHA-256");
    assert.equal(text(mechanism.initialResponse()), `n,,n=user,r=${SHA256.nonce}`);
    assert.equal(text(mechanism.challenge(bytes(SHA256.serverFirst))), SHA256.clientFinal);
    mechanism.verify(bytes(SHA256.serverFinal));
  });

  it("accepts the server's final message in a challenge, then an empty success", () => {
    const mechanism = afterClientFinal();
    assert.equal(mechanism.challenge(bytes(SHA1.serverFinal)).length, 0);
    mechanism.verify(null);
  });

  it("ignores extensions after the attributes it needs, but signs them", () => {
    const mechanism = scram();
    mechanism.initialResponse();
    const clientFinal = text(mechanism.challenge(bytes(`${SHA1.serverFirst},x=future`)));
    const [withoutProof, proof] = clientFinal.split(",p=");
    assert.equal(withoutProof, SHA1.clientFinal.split(",p=")[0]);
    assert.notEqual(proof, SHA1.clientFinal.split(",p=")[1], "the whole server-first message is in the AuthMessage");
  });

  it("makes its nonce from the host's random bytes: 24 printable characters", () => {
    const mechanism = new Scram("SHA-1", { host, username: "user", password: "pencil" });
    const first = text(mechanism.initialResponse());
    assert.match(first, /^n,,n=user,r=[A-Za-z0-9+/]{24}$/);
    assert.equal(first.slice(12), encodeBase64(host.randomBytes(18)));
  });

  it("escapes ',' and '=' in the username", () => {
    const mechanism = scram("SHA-1", { username: "a,b=c" });
    assert.equal(text(mechanism.initialResponse()), `n,,n=a=2Cb=3Dc,r=${SHA1.nonce}`);
  });

  it("prepares the username and password with SASLprep", () => {
    // U+00AD is mapped to nothing, so "pen\u00adcil" is the RFC's "pencil".
    const mechanism = scram("SHA-1", { username: "us\u00ader", password: "pen\u00adcil" });
    assert.equal(text(mechanism.initialResponse()), `n,,n=user,r=${SHA1.nonce}`);
    assert.equal(text(mechanism.challenge(bytes(SHA1.serverFirst))), SHA1.clientFinal);
  });

  it("refuses credentials it cannot send", () => {
    failsWith(() => scram("SHA-1", { username: "" }), "invalid-credentials", /the username is empty/);
    failsWith(() => scram("SHA-1", { password: "pen\u0000cil" }), "invalid-credentials", /the password contains a control character at character 4/);
  });

  it("reuses a cached salted password on the next exchange", () => {
    let hmacs = 0;
    const counting = { ...host, hmac: (a: DigestAlgorithm, k: Uint8Array, d: Uint8Array) => (hmacs++, hmac(a, k, d)) };
    const cache = new SaltedPasswordCache(counting);
    for (const expected of [4096 + 4, 4]) {
      hmacs = 0;
      const mechanism = scram("SHA-1", { host: counting, cache });
      mechanism.initialResponse();
      assert.equal(text(mechanism.challenge(bytes(SHA1.serverFirst))), SHA1.clientFinal);
      mechanism.verify(bytes(SHA1.serverFinal));
      assert.equal(hmacs, expected, "HMACs: the iterations, then the client key and signature, the server key and signature");
    }
  });

  describe("refuses a server-first message", () => {
    it("whose nonce does not extend ours", () => {
      failsWith(withServerFirst("r=XXXX+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096"), "invalid-server-message", /does not extend the client's nonce/);
      failsWith(withServerFirst(`r=${SHA1.nonce},s=QSXCR+Q6sek8bf92,i=4096`), "invalid-server-message", /does not extend/);
      failsWith(withServerFirst(`r=${SHA1.nonce}\u00e9,s=QSXCR+Q6sek8bf92,i=4096`), "invalid-server-message", /printable/);
    });

    it("that lacks the nonce, the salt or the iteration count", () => {
      failsWith(withServerFirst("s=QSXCR+Q6sek8bf92,i=4096"), "invalid-server-message", /no nonce \(r=\)/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,i=4096`), "invalid-server-message", /no salt \(s=\)/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92`), "invalid-server-message", /no iteration count \(i=\)/);
    });

    it("whose salt is not base64 or is empty", () => {
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR!Q6sek8bf92,i=4096`), "invalid-server-message", /salt is not valid base64: the character "!"/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR,i=4096`), "invalid-server-message", /salt is not valid base64/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=,i=4096`), "invalid-server-message", /salt is empty/);
    });

    it("whose iteration count is not a positive whole number", () => {
      for (const count of ["0", "-1", "abc", "4096x", "", "04096", "1e4", " 4096"]) {
        failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,i=${count}`), "invalid-server-message", /iteration count .* is not a positive whole number/);
      }
    });

    it("that asks for fewer iterations than the minimum, or more than the maximum", () => {
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,i=4095`), "invalid-server-message", /only 4095 SCRAM iterations, fewer than the 4096 required/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,i=100001`), "invalid-server-message", /100001 SCRAM iterations, more than the 100000/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,i=99999999999999999999999`), "invalid-server-message", /99999999999999999999999 SCRAM iterations, more than/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,i=10`, { minIterations: 11 }), "invalid-server-message", /only 10/);
      const lenient = withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,i=2`, { minIterations: 1 });
      assert.match(text(lenient() as Uint8Array), /^c=biws,r=fyko\+d2lbbFgONRv9qkxdawLabc,p=/);
    });

    it("that requires an extension (m=)", () => {
      failsWith(withServerFirst(`m=ext,${SHA1.serverFirst}`), "invalid-server-message", /requires a SCRAM extension \(m=\)/);
    });

    it("that is not a list of attributes, or not UTF-8", () => {
      failsWith(withServerFirst("hello"), "invalid-server-message", /"hello" is not an attribute/);
      failsWith(withServerFirst(`${SHA1.serverFirst},`), "invalid-server-message", /"" is not an attribute/);
      failsWith(withServerFirst(`r=${SHA1.nonce}abc,s=QSXCR+Q6sek8bf92,1=4096`), "invalid-server-message", /"1=4096" is not an attribute/);
      const mechanism = scram();
      mechanism.initialResponse();
      failsWith(() => mechanism.challenge(Uint8Array.of(0x72, 0x3d, 0xff)), "invalid-server-message", /not UTF-8/);
    });
  });

  describe("refuses a server-final message", () => {
    it("with a wrong signature", () => {
      failsWith(() => afterClientFinal().verify(bytes(SHA256.serverFinal)), "server-signature-mismatch", /signature is wrong/);
      failsWith(() => afterClientFinal().verify(bytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ")), "invalid-server-message", /signature is not valid base64/);
      failsWith(() => afterClientFinal().verify(bytes("v=AAAA")), "server-signature-mismatch", /signature is wrong/);
      failsWith(() => afterClientFinal().challenge(bytes("v=AAAA")), "server-signature-mismatch", /signature is wrong/);
    });

    it("with no signature at all", () => {
      failsWith(() => afterClientFinal().verify(null), "server-signature-mismatch", /without its SCRAM signature/);
      failsWith(() => afterClientFinal().verify(new Uint8Array(0)), "server-signature-mismatch", /without its SCRAM signature/);
      failsWith(() => afterClientFinal().verify(bytes("x=1")), "invalid-server-message", /neither a signature \(v=\) nor an error \(e=\)/);
    });

    it("with an error (e=), as not-authorized when the credentials were refused", () => {
      failsWith(() => afterClientFinal().verify(bytes("e=invalid-proof")), "not-authorized", /ended the SCRAM-SHA-1 exchange with the error "invalid-proof"/);
      failsWith(() => afterClientFinal().verify(bytes("e=unknown-user")), "not-authorized", /"unknown-user"/);
      failsWith(() => afterClientFinal().challenge(bytes("e=other-error")), "server-error", /"other-error"/);
    });
  });

  describe("keeps to the order of the exchange", () => {
    it("refuses success before the client-final message", () => {
      const mechanism = scram();
      mechanism.initialResponse();
      failsWith(() => mechanism.verify(bytes(SHA1.serverFinal)), "invalid-server-message", /success before the SCRAM-SHA-1 exchange was complete/);
    });

    it("refuses a challenge after the server has been verified", () => {
      const mechanism = afterClientFinal();
      mechanism.challenge(bytes(SHA1.serverFinal));
      failsWith(() => mechanism.challenge(bytes(SHA1.serverFinal)), "invalid-server-message", /no place for/);
    });

    it("is used once", () => {
      const mechanism = scram();
      mechanism.initialResponse();
      assert.throws(() => mechanism.initialResponse(), /an exchange is used once/);
    });

    it("stays failed after an error", () => {
      const mechanism = scram();
      mechanism.initialResponse();
      assert.throws(() => mechanism.challenge(bytes("garbage")), SASLError);
      failsWith(() => mechanism.challenge(bytes(SHA1.serverFirst)), "invalid-server-message", /no place for/);
      failsWith(() => mechanism.verify(bytes(SHA1.serverFinal)), "invalid-server-message", /before the SCRAM-SHA-1 exchange was complete/);
    });

    it("refuses an injected nonce that is not printable ASCII without ','", () => {
      assert.throws(() => scram("SHA-1", { nonce: () => "a,b" }).initialResponse(), /RangeError: SCRAM-SHA-1: a client nonce is printable ASCII/);
      assert.throws(() => scram("SHA-1", { nonce: () => "" }).initialResponse(), RangeError);
    });
  });
});
