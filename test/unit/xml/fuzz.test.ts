// A bounded fuzz corpus for the stream reader, the same on Node and on XS (it is a unit suite):
// inputs generated from a fixed seed by mutating well-formed stanzas (bytes flipped, inserted,
// deleted, pieces duplicated, cuts anywhere). Each must end in stanzas, a skip or one stream
// error, never a thrown exception or a hang, and read the same whole and cut in two. The issue's
// namespace and attribute-name faults are kept as fixed regressions in bad-input and stanza-stream.

import { assert } from "../../support/assert.js";
import { ReaderLog, readWhole, toBytes } from "./reader-log.js";
import { seededRandom } from "../../support/seeded-random.js";

const H = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
const SEEDS = [
  "<message type='chat' to='microwave@hub.test/appliance' id='m1'><body>PREHEAT 350 20</body><request xmlns='urn:xmpp:receipts'/></message>",
  "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>",
  "<iq type='get' id='p' xmlns:x='urn:x' x:a='1'><x:ping/></iq>",
  "<message><body>a &amp; b &#x263A; <![CDATA[<x>]]> é中😀</body></message>",
  "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
];
const PIECES = ["<", ">", "/", "'", "\"", "&", ";", ":", "xmlns:", "xmlns", "xml:", "]]>", "<!--", "<?", "<![CDATA[", "__proto__", "=", " ", "\r\n", "\u0000", "é"];
const COUNT = 400; // inputs per run: a few seconds on XS

function mutate(random: () => number, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = Math.floor(random() * 4);
    if (kind === 0 && out.length > 0) out[Math.min(at, out.length - 1)] = Math.floor(random() * 256);
    else if (kind === 1) out.splice(at, Math.floor(random() * 4));
    else if (kind === 2) out.splice(at, 0, ...toBytes(PIECES[Math.floor(random() * PIECES.length)]));
    else {
      const from = Math.floor(random() * out.length);
      out.splice(at, 0, ...out.slice(from, from + Math.floor(random() * 20)));
    }
  }
  return new Uint8Array(out);
}

function outcome(events: string[]): string {
  const errors = events.filter((line) => line.startsWith("error "));
  assert.ok(errors.length <= 1, `more than one error: ${errors.join(" | ")}`);
  return events.join("\n");
}

describe("StanzaStream fuzz corpus (bounded, fixed seed)", () => {
  it(`reads ${COUNT} mutated inputs without throwing, each the same whole and cut in two`, () => {
    const random = seededRandom(0x10c0ffee);
    const kinds = { stanzas: 0, errors: 0, skipped: 0 };
    for (let n = 0; n < COUNT; n++) {
      const seed = SEEDS[n % SEEDS.length];
      const input = mutate(random, toBytes(H, seed, seed));
      const options = { skip: n % 2 === 0, limits: { maxStanzaBytes: 150, maxDepth: n % 4 === 0 ? 1 : 4 } };
      let whole: string;
      try {
        whole = outcome(readWhole(input, options));
      } catch (error) {
        assert.fail(`input ${n} threw ${String(error)}: ${JSON.stringify(Array.from(input))}`);
      }
      const cut = 1 + Math.floor(random() * (input.length - 1));
      assert.equal(outcome(new ReaderLog(options).write(input, [cut]).events), whole, `input ${n}, cut at ${cut}`);
      if (whole.includes("\nerror ") || whole.startsWith("error ")) kinds.errors++;
      if (whole.includes("skipped ")) kinds.skipped++;
      if (whole.includes("stanza ")) kinds.stanzas++;
    }
    // The corpus reaches every outcome, or it would test less than it claims.
    assert.ok(kinds.stanzas > 0 && kinds.errors > 0 && kinds.skipped > 0, JSON.stringify(kinds));
  });

  it("reads random bytes after a good header without throwing", () => {
    const random = seededRandom(7);
    for (let n = 0; n < 100; n++) {
      const noise = new Uint8Array(1 + Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
      outcome(readWhole(toBytes(H, "<message><body>", Array.from(noise))));
    }
  });
});
