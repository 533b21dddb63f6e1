// JIDs: parsing, normalisation, the bare form, equality, and every rejection.

import { assert } from "../../support/assert.js";
import { Jid, JidError } from "../../../src/xmpp/jid.js";

function rejects(text: string, part: string, pattern: RegExp): void {
  assert.throws(() => Jid.parse(text), (error: unknown) => {
    assert.ok(error instanceof JidError, `${JSON.stringify(text)} fails with a JidError, not ${String(error)}`);
    assert.equal(error.name, "JidError");
    assert.equal(error.part, part, `the part blamed for ${JSON.stringify(text)}`);
    assert.equal(error.input, text);
    assert.ok(error.message.includes(JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)), `the message quotes the input: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("Jid", () => {
  it("parses local@domain/resource into its parts", () => {
    const jid = Jid.parse("microwave@hub.local/kitchen");
    assert.equal(jid.local, "microwave");
    assert.equal(jid.domain, "hub.local");
    assert.equal(jid.resource, "kitchen");
    assert.equal(jid.toString(), "microwave@hub.local/kitchen");
  });

  it("parses a bare JID and a domain alone, leaving absent parts empty", () => {
    const bare = Jid.parse("microwave@hub.local");
    assert.deepEqual([bare.local, bare.domain, bare.resource], ["microwave", "hub.local", ""]);
    const server = Jid.parse("hub.local");
    assert.deepEqual([server.local, server.domain, server.resource], ["", "hub.local", ""]);
    assert.equal(Jid.parse("hub.local/admin").toString(), "hub.local/admin");
  });

  it("takes everything after the first '/' as the resource, '@' and '/' included", () => {
    const jid = Jid.parse("a@b/c@d/e");
    assert.deepEqual([jid.local, jid.domain, jid.resource], ["a", "b", "c@d/e"]);
    assert.equal(Jid.parse("hub.local/x@y").local, "");
  });

  it("lower-cases ASCII in the domain and local part, never in the resource", () => {
    const jid = Jid.parse("MicroWave@Hub.LOCAL/Kitchen");
    assert.equal(jid.toString(), "microwave@hub.local/Kitchen");
    assert.ok(jid.equals(Jid.parse("microwave@hub.local/Kitchen")));
    assert.ok(!jid.equals(Jid.parse("microwave@hub.local/kitchen")));
  });

  it("strips a trailing dot from the domain", () => {
    assert.equal(Jid.parse("a@hub.local./r").toString(), "a@hub.local/r");
    assert.ok(Jid.parse("hub.local.").equals(Jid.parse("hub.local")));
  });

  it("keeps non-ASCII text as written and counts its length in UTF-8 bytes", () => {
    assert.equal(Jid.parse("jürgen@hub.local/Küche").toString(), "jürgen@hub.local/Küche");
    // 511 two-byte characters + one byte = 1023 bytes: the limit, accepted.
    assert.equal(Jid.parse(`${"é".repeat(511)}x@hub`).local.length, 512);
    rejects(`${"é".repeat(512)}@hub`, "local", /1024 bytes long in UTF-8; a part may have at most 1023/);
  });

  it("gives the bare JID, the same object when already bare", () => {
    const full = Jid.parse("a@b/c");
    assert.equal(full.bare.toString(), "a@b");
    assert.ok(full.bare.equals(Jid.parse("a@b")));
    const bare = Jid.parse("a@b");
    assert.equal(bare.bare, bare);
  });

  it("compares every part", () => {
    assert.ok(Jid.parse("a@b/c").equals(Jid.parse("a@b/c")));
    assert.ok(!Jid.parse("a@b/c").equals(Jid.parse("x@b/c")));
    assert.ok(!Jid.parse("a@b/c").equals(Jid.parse("a@x/c")));
    assert.ok(!Jid.parse("a@b/c").equals(Jid.parse("a@b")));
  });

  it("is frozen", () => {
    const jid = Jid.parse("a@b/c");
    assert.ok(Object.isFrozen(jid));
    assert.throws(() => {
      (jid as { local: string }).local = "x";
    }, TypeError);
  });

  it("builds from parts with the same checks", () => {
    assert.equal(new Jid("A", "B.", "r").toString(), "a@b/r");
    assert.equal(new Jid("", "b").toString(), "b");
    assert.throws(() => new Jid("a b", "hub"), /JidError: the local part of the JID "a b@hub" contains a space/);
    assert.throws(() => new Jid("a", "x/y"), /JidError: the domain part .* contains "@" or "\/"/);
  });

  it("rejects an empty local part before '@'", () => {
    rejects("@hub.local", "local", /empty local part/);
    rejects("@hub.local/r", "local", /empty local part/);
  });

  it("rejects a missing domain", () => {
    rejects("", "domain", /has no domain/);
    rejects("alice@", "domain", /has no domain/);
    rejects("alice@/r", "domain", /has no domain/);
    rejects("/r", "domain", /has no domain/);
    rejects("alice@.", "domain", /has no domain/);
  });

  it("rejects an empty resource after '/'", () => {
    rejects("hub.local/", "resource", /empty resource/);
    rejects("alice@hub.local/", "resource", /empty resource/);
  });

  it("rejects each part longer than 1023 bytes", () => {
    rejects(`${"a".repeat(1024)}@hub`, "local", /1024 bytes/);
    rejects(`a@${"h".repeat(1024)}`, "domain", /1024 bytes/);
    rejects(`a@hub/${"r".repeat(1024)}`, "resource", /1024 bytes/);
    assert.equal(Jid.parse(`${"a".repeat(1023)}@${"h".repeat(1023)}/${"r".repeat(1023)}`).resource.length, 1023);
  });

  it("rejects every character RFC 7622 forbids in the local part", () => {
    for (const c of [`"`, "&", "'", ":", "<", ">"]) rejects(`a${c}b@hub`, "local", /contains one of/);
    // "@" and "/" cannot reach the local part through parse; the constructor refuses them.
    assert.throws(() => new Jid("a@b", "hub"), /contains one of/);
    assert.throws(() => new Jid("a/b", "hub"), /contains one of/);
  });

  it("rejects whitespace in the local part and the domain, but not in the resource", () => {
    rejects("a b@hub", "local", /contains a space/);
    rejects("a\u00a0b@hub", "local", /contains a space/);
    rejects("a@hub local", "domain", /contains a space/);
    assert.equal(Jid.parse("a@hub/my phone").resource, "my phone");
  });

  it("rejects control characters in any part", () => {
    rejects("a\u0000b@hub", "local", /control character/);
    rejects("a@hu\tb", "domain", /control character|space/);
    rejects("a@hub/r\u007f", "resource", /control character/);
    rejects("a@hub/r\u0085", "resource", /control character/);
  });

  it("rejects a second '@' as part of the domain", () => {
    rejects("a@b@c", "domain", /contains "@"/);
  });

  it("rejects unpaired surrogates", () => {
    rejects("a\ud800@hub", "local", /unpaired/);
    rejects("a@hub/\udc00x", "resource", /unpaired/);
    assert.equal(Jid.parse("a@hub/\ud83d\ude00").resource, "\ud83d\ude00");
  });

  it("shortens a long input in the message", () => {
    const text = `${"a".repeat(2000)}@hub`;
    assert.throws(() => Jid.parse(text), (error: unknown) => (error as Error).message.length < 300);
  });
});
