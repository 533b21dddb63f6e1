// Base64 for SASL: RFC 4648 vectors, round trips, and the strict decoder's refusals.

import { assert } from "../../support/assert.js";
import { decodeBase64, encodeBase64 } from "../../../src/xmpp/sasl/base64.js";

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe("base64", () => {
  it("encodes and decodes the RFC 4648 §10 vectors", () => {
    const vectors: Array<[string, string]> = [
      ["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(encodeBase64(ascii(plain)), encoded);
      assert.deepEqual(decodeBase64(encoded), ascii(plain));
    }
  });

  it("round-trips every byte value and every length up to 70", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(decodeBase64(encodeBase64(all)), all);
    assert.equal(encodeBase64(Uint8Array.of(0xfb, 0xff, 0xbf)), "+/+/");
    for (let n = 0; n <= 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes, `length ${n}`);
    }
  });

  it("rejects a length that is not a multiple of 4", () => {
    assert.throws(() => decodeBase64("Zg"), /SyntaxError: not valid base64: its length, 2, is not a multiple of 4/);
    assert.throws(() => decodeBase64("Zm9vY"), /length, 5/);
  });

  it("rejects characters outside the alphabet, naming the position", () => {
    assert.throws(() => decodeBase64("Zm9v!A=="), /the character "!", outside the base64 alphabet, at position 4/);
    assert.throws(() => decodeBase64("Zm9 "), /the character " "/);
    assert.throws(() => decodeBase64("Zm9\n"), /the character "\\n"/);
    assert.throws(() => decodeBase64("Zm-_"), /the character "-"/); // base64url is not base64
    assert.throws(() => decodeBase64("Zm9é"), /the character "é"/);
  });

  it("rejects padding anywhere but at the end, and too much of it", () => {
    assert.throws(() => decodeBase64("Zg==Zg=="), /padding "=" before the end at position 2/);
    assert.throws(() => decodeBase64("Z==="), /padding "=" before the end at position 1/);
    assert.throws(() => decodeBase64("===="), /padding/);
  });

  it("rejects bits set beyond the last byte", () => {
    assert.throws(() => decodeBase64("Zh=="), /not canonical/);
    assert.throws(() => decodeBase64("Zm9="), /not canonical/);
    assert.deepEqual(decodeBase64("Zm8="), ascii("fo"));
  });
});
