// The test suites' pure-JS digests against FIPS 180 and RFC 2202/4231 vectors; run on XS too,
// this also proves they hash correctly there.

import { assert } from "../../support/assert.js";
import { digest, hmac, sha1, sha256 } from "../../support/digest.js";

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fill = (length: number, byte: number): Uint8Array => new Uint8Array(length).fill(byte);

describe("test digests", () => {
  it("computes SHA-1 of the FIPS 180 messages", () => {
    assert.equal(hex(sha1(ascii(""))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert.equal(hex(sha1(ascii("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(hex(sha1(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  });

  it("computes SHA-256 of the FIPS 180 messages", () => {
    assert.equal(hex(sha256(ascii(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(hex(sha256(ascii("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hex(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("pads correctly at the block boundaries (55, 56, 64 bytes)", () => {
    assert.equal(hex(sha256(fill(55, 0x61))), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    assert.equal(hex(sha256(fill(56, 0x61))), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    assert.equal(hex(sha1(fill(64, 0x61))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  });

  it("computes HMAC-SHA-1 as RFC 2202 does", () => {
    assert.equal(hex(hmac("SHA-1", fill(20, 0x0b), ascii("Hi There"))), "b617318655057264e28bc0b6fb378c8ef146be00");
    assert.equal(hex(hmac("SHA-1", ascii("Jefe"), ascii("what do ya want for nothing?"))), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    // A key longer than the block is hashed first.
    assert.equal(hex(hmac("SHA-1", fill(80, 0xaa), ascii("Test Using Larger Than Block-Size Key - Hash Key First"))), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  });

  it("computes HMAC-SHA-256 as RFC 4231 does", () => {
    assert.equal(hex(hmac("SHA-256", fill(20, 0x0b), ascii("Hi There"))), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert.equal(hex(hmac("SHA-256", ascii("Jefe"), ascii("what do ya want for nothing?"))), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert.equal(hex(hmac("SHA-256", fill(131, 0xaa), ascii("Test Using Larger Than Block-Size Key - Hash Key First"))), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });

  it("dispatches digest() by name and refuses others", () => {
    assert.deepEqual(digest("SHA-1", ascii("abc")), sha1(ascii("abc")));
    assert.deepEqual(digest("SHA-256", ascii("abc")), sha256(ascii("abc")));
    assert.throws(() => digest("MD5" as never, ascii("abc")), RangeError);
  });
});
