// A stanza over the reader's byte or depth limit, with an onSkipped handler: read to its end
// without being kept, reported with its start tag (for an error reply), and the stream goes on;
// a fault inside it still ends the stream.

import { assert } from "../../support/assert.js";
import { ReaderLog, firstDifferingSplit, readWhole, toBytes } from "./reader-log.js";

const H = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
const h = H.length;
const NEXT = "<message id='next'><body>still here</body></message>";
const nextLine = `stanza <message xmlns="jabber:client" id="next"><body>still here</body></message>`;
const skip = { skip: true };

describe("StanzaStream skipping stanzas over a limit", () => {
  it("skips a stranger's 17 KB body, says who sent it, and reads the next stanza", () => {
    const big = `<message from='stranger@hub.test/x' id='big' type='chat'><body>${"x".repeat(17_000)}</body></message>`;
    const events = readWhole(toBytes(H, big, NEXT), skip);
    assert.deepEqual(events.slice(1), [
      `skipped <message xmlns="jabber:client" from="stranger@hub.test/x" id="big" type="chat"/> policy-violation: a stanza longer than the limit of 16384 bytes at byte ${h + 16384}`,
      nextLine,
    ]);
  });

  it("skips a stanza nested 20 deep and reads the next one", () => {
    const deep = `<message from='s@hub.test/x' id='deep'>${"<a>".repeat(19)}${"</a>".repeat(19)}</message>`;
    const events = readWhole(toBytes(H, deep, NEXT), skip);
    assert.equal(events.length, 3, events.join("\n"));
    assert.match(events[1], /^skipped <message xmlns="jabber:client" from="s@hub.test\/x" id="deep"\/> policy-violation: elements nested deeper than the limit of 16 in a stanza at byte \d+$/);
    assert.equal(events[2], nextLine);
  });

  it("has no sender to name when the start tag itself is over the limit", () => {
    const events = readWhole(toBytes(H, `<message to='${"a".repeat(200)}'><body>x</body></message>`, NEXT), { skip: true, limits: { maxStanzaBytes: 100 } });
    assert.deepEqual(events.slice(1), [`skipped (no start tag) policy-violation: a stanza longer than the limit of 100 bytes at byte ${h + 100}`, nextLine]);
  });

  it("skips an empty top-level element over the limit, and one whose end tag passes it", () => {
    const limits = { maxStanzaBytes: 110 };
    const events = readWhole(toBytes(H, `<presence id='p' a='${"b".repeat(150)}'/>`, `<message id='m'>${"1".repeat(85)}</message>`, NEXT), { skip: true, limits });
    assert.equal(events.length, 4, events.join("\n"));
    assert.match(events[1], /^skipped \(no start tag\)/);
    assert.match(events[2], /^skipped <message xmlns="jabber:client" id="m"\/> policy-violation/);
  });

  it("still ends the stream on a fault inside the skipped stanza", () => {
    const faults: Array<[string, RegExp]> = [
      ["<!-- a comment -->", /^error restricted-xml: a comment/],
      ["&nbsp;", /^error restricted-xml: a reference to an undeclared entity/],
      ["\u0001", /^error not-well-formed: a character XML does not allow \(U\+0001\)/],
      ["<a b='1' b='2'>", /^error not-well-formed: '.' right after|^error not-well-formed/],
    ];
    for (const [fault, expected] of faults) {
      const events = readWhole(toBytes(H, `<message id='m'><body>${"x".repeat(17_000)}${fault}</body></message>`, NEXT), skip);
      assert.equal(events.length, 2, events.join("\n"));
      assert.match(events[1], expected, fault);
    }
    const bad = readWhole(toBytes(H, `<message><body>${"x".repeat(17_000)}`, [0xff], "</body></message>"), skip);
    assert.match(bad[1], /^error not-well-formed: bytes that are not UTF-8/);
  });

  it("checks the end tags of the elements opened before the limit", () => {
    const events = readWhole(toBytes(H, `<message><body>${"x".repeat(17_000)}</body></iq>`), skip);
    assert.match(events[events.length - 1], /^error not-well-formed: the end tag <\/iq> where <\/message> belongs/);
  });

  it("keeps nothing of a stanza that never ends, however long", () => {
    const log = new ReaderLog(skip).write(toBytes(H, "<message from='s@hub.test/x'><body>"));
    const chunk = toBytes("x".repeat(999) + "é");
    let most = 0;
    for (let written = 0; written < 4 * 1024 * 1024; written += chunk.length) {
      log.write(chunk);
      most = Math.max(most, log.reader.bufferedBytes);
    }
    assert.deepEqual(log.errors, []);
    assert.ok(most <= 16384, `held ${most} bytes`);
    log.write(toBytes("<b>", "<c/>".repeat(5000), "</b></body></message>", NEXT));
    assert.equal(log.events[log.events.length - 1], nextLine);
    assert.equal(log.reader.bufferedBytes, 0);
  });

  it("reports the same however the input is cut", () => {
    const limits = { maxStanzaBytes: 120, maxDepth: 3 };
    const input = toBytes(H, "<message from='a@b/c' id='1'><body>", "é".repeat(60), "&amp;<![CDATA[x]]></body></message>", "<iq id='2'><a><b><c><d/></c></b></a></iq>", NEXT);
    const differing = firstDifferingSplit(input, { skip: true, limits });
    assert.equal(differing, undefined, differing && `cut at ${differing.at}: ${differing.events.join("\n")}`);
    const events = readWhole(input, { skip: true, limits });
    assert.equal(events.filter((line) => line.startsWith("skipped")).length, 2, events.join("\n"));
    assert.deepEqual(new ReaderLog({ skip: true, limits }).writeBytewise(input).events, events);
  });

  it("ends the stream on a stream header over the limit, as before", () => {
    const events = readWhole(toBytes(`<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='${"i".repeat(200)}'>`), { skip: true, limits: { maxStanzaBytes: 100 } });
    assert.match(events[0], /^error policy-violation: a stream header longer than the limit of 100 bytes/);
  });
});
