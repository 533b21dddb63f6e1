// The stream reader's limits: where exactly they fall, what they count, and that input which
// never ends is refused as soon as it passes them, so that nothing grows without bound.

import { assert } from "../../support/assert.js";
import { ReaderLog, readWhole, toBytes } from "./reader-log.js";

const DECL = "<?xml version='1.0'?>";
const H = DECL + "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='hub.local' version='1.0'>";
const LIMIT = 16384;
// A header short enough for small limits (it is held to the stanza limit too).
const SHORT_H = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>";
const MB = 1024 * 1024;

/** A <message/> of exactly `size` bytes, its body filled with `fill` (of one or two bytes). */
function messageOf(size: number, fill = "x"): string {
  const frame = "<message><body></body></message>".length;
  const fillBytes = fill === "x" ? 1 : 2;
  assert.equal((size - frame) % fillBytes, 0, "the fill divides the room");
  return `<message><body>${fill.repeat((size - frame) / fillBytes)}</body></message>`;
}

function stanzas(events: string[]): number {
  return events.filter((line) => line.startsWith("stanza ")).length;
}

describe("StanzaStream limits", () => {
  it("takes a stanza of exactly maxStanzaBytes and refuses one a byte longer", () => {
    const limits = { maxStanzaBytes: 100 };
    assert.equal(stanzas(readWhole(toBytes(SHORT_H, messageOf(100)), { limits })), 1);
    const over = readWhole(toBytes(SHORT_H, messageOf(101)), { limits });
    assert.equal(over[over.length - 1], `error policy-violation: a stanza longer than the limit of 100 bytes at byte ${SHORT_H.length + 100}`);
  });

  it("holds to the default of 16384 bytes", () => {
    assert.equal(stanzas(readWhole(toBytes(H, messageOf(LIMIT)))), 1);
    assert.match(readWhole(toBytes(H, messageOf(LIMIT + 1))).join("\n"), /error policy-violation: a stanza longer than the limit of 16384 bytes/);
  });

  it("counts bytes, not characters", () => {
    const limits = { maxStanzaBytes: 100 };
    assert.equal(stanzas(readWhole(toBytes(SHORT_H, messageOf(100, "é")), { limits })), 1);
    assert.match(readWhole(toBytes(SHORT_H, messageOf(102, "é")), { limits }).join("\n"), /policy-violation/);
  });

  it("counts references as written, not as what they stand for", () => {
    const limits = { maxStanzaBytes: 100 };
    const exact = `<message><body>${"&amp;".repeat(13)}xxx</body></message>`;
    assert.equal(exact.length, 100);
    assert.equal(stanzas(readWhole(toBytes(SHORT_H, exact), { limits })), 1);
    assert.match(readWhole(toBytes(SHORT_H, exact.replace("xxx", "xxxx")), { limits }).join("\n"), /policy-violation/);
  });

  it("takes nesting of exactly maxDepth and refuses one level more", () => {
    const limits = { maxDepth: 3 };
    assert.equal(stanzas(readWhole(toBytes(H, "<a><b><c/></b></a>"), { limits })), 1);
    const deeper = readWhole(toBytes(H, "<a><b><c><d/></c></b></a>"), { limits });
    assert.equal(deeper[deeper.length - 1], `error policy-violation: elements nested deeper than the limit of 3 in a stanza at byte ${H.length + 10}`);
  });

  it("bounds the stream header by the same byte limit", () => {
    const header = (size: number) => {
      const start = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='";
      return `${start}${"i".repeat(size - start.length - 2)}'>`;
    };
    assert.equal(readWhole(toBytes(header(200)), { limits: { maxStanzaBytes: 200 } }).length, 1);
    assert.match(readWhole(toBytes(header(201)), { limits: { maxStanzaBytes: 200 } })[0], /^error policy-violation: a stream header longer than the limit of 200 bytes at byte 200$/);
  });

  it("neither keeps nor counts white space between stanzas (keepalives)", () => {
    const log = new ReaderLog().write(toBytes(H));
    const keepalives = new Uint8Array(1000).fill(0x20);
    for (let written = 0; written < MB; written += keepalives.length) log.write(keepalives);
    log.write(toBytes("\r\n\t", messageOf(LIMIT), " "));
    assert.deepEqual(log.errors, []);
    assert.equal(stanzas(log.events), 1);
  });

  it("gives each stanza the full limit, whatever came before it", () => {
    const full = messageOf(LIMIT);
    assert.equal(stanzas(readWhole(toBytes(H, full, full, " ", full))), 3);
  });

  // Input that would grow a buffer forever if nothing measured it: 10 MB of each, 1000 bytes a time.
  const endless: Array<{ what: string; prefix: string; fill: string; start: number; of?: string }> = [
    { what: "text", prefix: H + "<message><body>", fill: "x", start: H.length },
    { what: "multi-byte text", prefix: H + "<message><body>", fill: "中", start: H.length },
    { what: "line ends", prefix: H + "<message><body>", fill: "\r\n", start: H.length },
    { what: "']' characters", prefix: H + "<message><body>", fill: "]", start: H.length },
    { what: "a CDATA section", prefix: H + "<message><![CDATA[", fill: "]", start: H.length },
    { what: "an attribute value", prefix: H + "<message to='", fill: "x", start: H.length },
    { what: "an element name", prefix: H + "<", fill: "m", start: H.length },
    { what: "an attribute name", prefix: H + "<message ", fill: "a", start: H.length },
    { what: "white space in a tag", prefix: H + "<message", fill: " ", start: H.length },
    { what: "white space in an end tag", prefix: H + "<message></message", fill: " ", start: H.length },
    { what: "an entity name", prefix: H + "<message><body>&", fill: "a", start: H.length },
    { what: "a character reference", prefix: H + "<message><body>&#", fill: "0", start: H.length },
    { what: "a stream header", prefix: DECL + "<stream:stream", fill: " ", start: DECL.length, of: "stream header" },
    { what: "an XML declaration", prefix: "<?xml version='1.0'", fill: " ", start: 0, of: "stream header" },
  ];

  for (const { what, prefix, fill, start, of = "stanza" } of endless) {
    it(`refuses endless ${what} in the write that passes the limit`, () => {
      const log = new ReaderLog().write(toBytes(prefix));
      const piece = toBytes(fill);
      const chunk = new Uint8Array(1000 - (1000 % piece.length));
      for (let at = 0; at < chunk.length; at += piece.length) chunk.set(piece, at);
      let written = prefix.length;
      let before = -1; // bytes written before the write that reported the error
      for (; written < 10 * MB; written += chunk.length) {
        log.write(chunk);
        if (before < 0 && log.errors.length > 0) before = written;
      }
      assert.deepEqual(log.errors.length, 1, log.events.join("\n"));
      assert.match(log.errors[0], new RegExp(`^error policy-violation: an? ${of} longer than the limit of ${LIMIT} bytes at byte \\d+$`));
      // The first byte past the limit (at start + LIMIT) came with that write, or just before it
      // when the rest of its character came with that write.
      const firstPast = start + LIMIT;
      assert.ok(before <= firstPast + 3 && firstPast < before + chunk.length, `error after ${before} bytes; the limit is passed at byte ${firstPast}`);
      assert.equal(stanzas(log.events), 0);
    });
  }
});
