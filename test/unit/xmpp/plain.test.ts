// PLAIN: the message it encodes, and what it refuses.

import { assert } from "../../support/assert.js";
import { decodeUtf8 } from "../../../src/xml/utf8.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";
import { Plain } from "../../../src/xmpp/sasl/plain.js";

describe("PLAIN", () => {
  it("sends an empty authzid, the username and the password, NUL-separated, in UTF-8", () => {
    const mechanism = new Plain({ username: "microwave", password: "pässwörd" });
    assert.equal(mechanism.name, "PLAIN");
    const message = mechanism.initialResponse();
    assert.equal(decodeUtf8(message), "\u0000microwave\u0000pässwörd");
    assert.equal(message.length, 1 + 9 + 1 + 10);
    mechanism.verify(null);
  });

  it("prepares both with SASLprep", () => {
    assert.equal(decodeUtf8(new Plain({ username: "us\u00ader", password: "a\u00a0b" }).initialResponse()), "\u0000user\u0000a b");
  });

  it("refuses a NUL (or any control character) that would move the fields", () => {
    assert.throws(() => new Plain({ username: "user", password: "a\u0000b" }), (e: unknown) => e instanceof SASLError && e.condition === "invalid-credentials");
    assert.throws(() => new Plain({ username: "us\u0000er", password: "pw" }), /the username contains a control character/);
    assert.throws(() => new Plain({ username: "", password: "pw" }), /the username is empty/);
  });

  it("treats a challenge as a server error", () => {
    const mechanism = new Plain({ username: "user", password: "pw" });
    mechanism.initialResponse();
    assert.throws(() => mechanism.challenge(Uint8Array.of(1)), (e: unknown) => e instanceof SASLError && e.condition === "invalid-server-message");
  });
});
