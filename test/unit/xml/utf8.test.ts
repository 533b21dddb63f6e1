// UTF-8 for the core: encoding, strict decoding, and decoding of chunks split inside characters.

import { assert } from "../../support/assert.js";
import { Utf8Decoder, Utf8Error, decodeUtf8, encodeUtf8, encodeUtf8Portably, repairSurrogates } from "../../../src/xml/utf8.js";

const bytes = (...values: number[]) => new Uint8Array(values);

// One character of each length, and their encodings (RFC 3629 examples and neighbours).
const samples: Array<[string, number[]]> = [
  ["A", [0x41]],
  ["é", [0xc3, 0xa9]],
  ["\u07ff", [0xdf, 0xbf]],
  ["中", [0xe4, 0xb8, 0xad]],
  ["\uffff", [0xef, 0xbf, 0xbf]],
  ["😀", [0xf0, 0x9f, 0x98, 0x80]],
  ["\u{10ffff}", [0xf4, 0x8f, 0xbf, 0xbf]],
];

describe("UTF-8", () => {
  it("encodes characters of one to four bytes", () => {
    for (const [text, encoded] of samples) assert.deepEqual(encodeUtf8(text), new Uint8Array(encoded), text);
  });

  it("encodes an unpaired surrogate as U+FFFD, as TextEncoder does", () => {
    assert.deepEqual(encodeUtf8("a\ud800b"), bytes(0x61, 0xef, 0xbf, 0xbd, 0x62));
    assert.deepEqual(encodeUtf8("\udc00"), bytes(0xef, 0xbf, 0xbd));
  });

  it("decodes what it encodes, long ASCII runs and mixed text alike", () => {
    const text = "x".repeat(100) + "Café 中文 😀 " + "y".repeat(70) + "\u{10ffff}";
    assert.equal(decodeUtf8(encodeUtf8(text)), text);
    for (const [sample, encoded] of samples) assert.equal(decodeUtf8(new Uint8Array(encoded)), sample);
  });

  const invalid: Array<[string, number[], RegExp]> = [
    ["a lone continuation byte", [0x61, 0x80], /continuation byte with no lead byte \(0x80\) at byte 1/],
    ["an overlong two-byte form of '/'", [0xc0, 0xaf], /overlong lead byte \(0xc0\) at byte 0/],
    ["an overlong three-byte form", [0xe0, 0x80, 0xaf], /overlong form, a surrogate or a value past U\+10FFFF \(0xe0 0x80\) at byte 1/],
    ["an overlong four-byte form", [0xf0, 0x80, 0x80, 0xaf], /overlong form.* at byte 1/],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], /a surrogate .*\(0xed 0xa0\) at byte 1/],
    ["a value past U+10FFFF", [0xf4, 0x90, 0x80, 0x80], /past U\+10FFFF \(0xf4 0x90\) at byte 1/],
    ["a byte never used", [0x41, 0xff], /never occurs in UTF-8 \(0xff\) at byte 1/],
    ["a character cut short", [0xe4, 0xb8, 0x41], /cut short by 0x41 at byte 2/],
    ["a truncated end", [0x41, 0xe4, 0xb8], /ends inside a character at byte 3/],
  ];

  for (const [what, input, message] of invalid) {
    it(`refuses ${what}, saying where`, () => {
      assert.throws(() => decodeUtf8(new Uint8Array(input)), (error) => error instanceof Utf8Error && error instanceof SyntaxError && message.test(error.message));
    });
  }

  it("holds a character split across chunks until its last byte arrives", () => {
    const encoded = encodeUtf8("aé中😀z");
    for (let cut = 0; cut <= encoded.length; cut++) {
      for (let second = cut; second <= encoded.length; second++) {
        const decoder = new Utf8Decoder();
        const text = decoder.decode(encoded.subarray(0, cut)) + decoder.decode(encoded.subarray(cut, second)) + decoder.decode(encoded.subarray(second));
        assert.equal(text, "aé中😀z", `cut at ${cut} and ${second}`);
        assert.equal(decoder.pending, false);
      }
    }
  });

  it("says a character is pending while its bytes are split, and forgets them on reset", () => {
    const decoder = new Utf8Decoder();
    assert.equal(decoder.decode(bytes(0x61, 0xf0, 0x9f)), "a");
    assert.equal(decoder.pending, true);
    decoder.reset();
    assert.equal(decoder.pending, false);
    assert.equal(decoder.decode(bytes(0x62)), "b");
  });

  it("reports the stream offset of a bad byte in a later chunk, with the text before it", () => {
    const decoder = new Utf8Decoder();
    decoder.decode(encodeUtf8("abc"));
    decoder.decode(bytes(0xe4));
    assert.throws(
      () => decoder.decode(bytes(0xb8, 0xad, 0x64, 0xed, 0xbf, 0xbf)),
      (error) => error instanceof Utf8Error && error.offset === 8 && error.decoded === "中d",
    );
  });
});

describe("UTF-8 encoding on every host", () => {
  // XS keeps an unpaired surrogate as ED A0..BF xx and a pair split in two strings may stay as two
  // such sequences; this is what its ArrayBuffer.fromString and TextEncoder hand back.
  const xsBytes = (...units: number[]) => {
    const out: number[] = [];
    for (const u of units) {
      if (u < 0x80) out.push(u);
      else out.push(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
    }
    return new Uint8Array(out);
  };

  it("repairs the surrogate bytes XS hands out: U+FFFD for a lone half, the character for a pair", () => {
    assert.deepEqual(repairSurrogates(xsBytes(0x61, 0xd800, 0x62)), bytes(0x61, 0xef, 0xbf, 0xbd, 0x62));
    assert.deepEqual(repairSurrogates(xsBytes(0xdc00)), bytes(0xef, 0xbf, 0xbd));
    assert.deepEqual(repairSurrogates(xsBytes(0xd83d, 0xde00, 0x7a)), bytes(0xf0, 0x9f, 0x98, 0x80, 0x7a));
    assert.deepEqual(repairSurrogates(xsBytes(0xde00, 0xd83d)), bytes(0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd), "a low half then a high half are no pair");
    assert.deepEqual(repairSurrogates(xsBytes(0xd83d, 0xd83d, 0xde00)), bytes(0xef, 0xbf, 0xbd, 0xf0, 0x9f, 0x98, 0x80));
  });

  it("leaves alone the bytes of characters that start with ED (Hangul U+D000-D7FF)", () => {
    const hangul = encodeUtf8Portably("\ud7a3\ud000x");
    assert.deepEqual(hangul, bytes(0xed, 0x9e, 0xa3, 0xed, 0x80, 0x80, 0x78));
    assert.equal(repairSurrogates(hangul), hangul, "the same array, not a copy");
  });

  it("the host's encoder and the portable one agree, lone surrogates included", () => {
    const text = "x".repeat(50) + "Café 中文 😀 \ud7a3 a\ud800b \udfff" + "\ud83d" + "\ude00" + "\u0000" + "y".repeat(40);
    const portable = encodeUtf8Portably(text);
    assert.deepEqual(encodeUtf8(text), portable);
    assert.equal(decodeUtf8(portable), text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
    for (const [sample, encoded] of samples) assert.deepEqual(encodeUtf8Portably(sample), new Uint8Array(encoded), sample);
    assert.deepEqual(encodeUtf8Portably(""), bytes());
  });
});
