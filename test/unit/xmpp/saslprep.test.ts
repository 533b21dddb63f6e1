// SASLprep: the RFC 4013 §3 examples, the mapping tables, and the prohibited characters.

import { assert } from "../../support/assert.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";
import { saslprep } from "../../../src/xmpp/sasl/saslprep.js";

function prohibited(text: string, pattern: RegExp): void {
  assert.throws(() => saslprep(text, "password"), (error: unknown) => {
    assert.ok(error instanceof SASLError, String(error));
    assert.equal(error.condition, "invalid-credentials");
    assert.match(error.text, pattern);
    return true;
  });
}

describe("saslprep", () => {
  it("prepares the RFC 4013 §3 examples", () => {
    assert.equal(saslprep("I\u00adX", "password"), "IX"); // soft hyphen mapped to nothing
    assert.equal(saslprep("user", "password"), "user");
    assert.equal(saslprep("USER", "password"), "USER"); // case is kept
    assert.equal(saslprep("\u00aa", "password"), "a"); // NFKC
    assert.equal(saslprep("\u2168", "password"), "IX"); // NFKC
    prohibited("\u0007", /the password contains a control character at character 1/);
  });

  it("leaves printable ASCII, spaces included, as it is", () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
    assert.equal(saslprep(ascii, "password"), ascii);
  });

  it("maps non-ASCII spaces to a space and B.1 characters to nothing", () => {
    assert.equal(saslprep("a\u00a0b\u3000c\u2002d", "password"), "a b c d");
    assert.equal(saslprep("a\u200bb\ufeffc\u034fd\ufe0fe", "password"), "abcde");
  });

  it("composes, so that either form of an accented letter gives the same bytes", () => {
    assert.equal(saslprep("pa\u0308ss", "password"), "p\u00e4ss");
    assert.equal(saslprep("p\u00e4ss", "password"), "p\u00e4ss");
  });

  it("names the position and kind of a prohibited character, never the character", () => {
    prohibited("ab\u0000", /a control character at character 3/);
    prohibited("a\u0085", /a control character at character 2/);
    prohibited("a\u2028", /a line or paragraph separator/);
    prohibited("a\u202e", /a direction character/);
    prohibited("a\ue000", /a private-use character/);
    prohibited("\u{10fffd}", /a private-use character/);
    prohibited("a\ufdd0", /a non-character/);
    prohibited("a\u{1fffe}", /a non-character/);
    prohibited("a\ud800", /an unpaired surrogate/);
    prohibited("a\ufffd", /inappropriate for plain text/);
    prohibited("a\u2ff0", /an ideographic description character/);
    prohibited("a\u{e0041}", /a tagging character/);
    prohibited("\u{1d173}", /a control character/);
    prohibited("\u{1f600}\u0007", /at character 2/); // counted in characters, not UTF-16 units
    assert.throws(() => saslprep("x\ue000", "username"), /the username contains/);
    assert.throws(() => saslprep("secret\u0001", "password"), (error: unknown) => !(error as Error).message.includes("secret"));
  });

  it("prohibits after normalising, so a deprecated character NFKC replaces is accepted", () => {
    assert.equal(saslprep("a\u0340", "password"), "\u00e0"); // U+0340 (C.8) becomes U+0300, then composes
  });

  it("allows characters outside the tables, as RFC 4013 allows them in queries", () => {
    assert.equal(saslprep("\u{1f600}", "password"), "\u{1f600}");
  });
});
