// The workload of the XML reader benchmark, the same on Node and on XS: the same stanzas read
// by xmpp.js's stream parser (@xmpp/xml: ltx's SAX parser building ltx Elements) and by the
// project's StanzaStream.

// @ts-expect-error: @xmpp/xml ships no types; it is only measured here.
import { Parser } from "@xmpp/xml";
import { StanzaStream } from "../src/xml/stanza-stream.js";
import { encodeUtf8 } from "../src/xml/utf8.js";

declare const print: ((...args: unknown[]) => void) | undefined;
declare const performance: { now(): number };
const out = typeof print === "function" ? print : (...args: unknown[]) => console.log(...args);

const HEADER = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
const TARGET = 15_000; // bytes per stanza: just under the 16 KiB default limit

function repeatTo(unit: string): string {
  return unit.repeat(Math.floor(TARGET / encodeUtf8(unit).length));
}

const cases: [string, string][] = [
  ["chat messages, 150 B each", repeatTo("<message type='chat' to='microwave@hub.test/appliance' id='m1'><body>PREHEAT 350 20</body><request xmlns='urn:xmpp:receipts'/></message>")],
  ["one message, 15 KB body of &amp;", `<message><body>${repeatTo("a &amp; b ")}</body></message>`],
  ["one message, 15 KB of UTF-8 text", `<message><body>${repeatTo("préchauffer 中文 ")}</body></message>`],
  ["one iq, 500 small children", `<iq type='result' id='x'><query xmlns='jabber:iq:roster'>${repeatTo("<item jid='a@b' subscription='both'/>")}</query></iq>`],
];

function timeIt(read: () => void, rounds: number): number {
  read(); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) read();
  return (performance.now() - start) / rounds;
}

function chunks(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

export function run(engine: string, rounds: number): void {
  out(`engine: ${engine}; each input read ${rounds} times after a warm-up, fed in 1 KB chunks; ms per input`);
  out(`${"input".padEnd(36)} ${"bytes".padStart(6)} ${"ltx (xmpp.js)".padStart(13)} ${"StanzaStream".padStart(13)} ${"ratio".padStart(7)}`);
  for (const [name, stanzas] of cases) {
    const text = HEADER + stanzas;
    const textChunks = chunks(text, 1024);
    const byteChunks = textChunks.map((chunk) => encodeUtf8(chunk));
    let ltxCount = 0;
    let ourCount = 0;
    const ltxMs = timeIt(() => {
      const parser = new Parser();
      parser.on("element", () => ltxCount++);
      parser.on("error", (error: Error) => {
        throw error;
      });
      for (const chunk of textChunks) parser.write(chunk);
    }, rounds);
    const ourMs = timeIt(() => {
      const reader = new StanzaStream({
        onHeader() {},
        onStanza: () => ourCount++,
        onEnd() {},
        onError(error) {
          throw error;
        },
      });
      for (const chunk of byteChunks) reader.write(chunk);
    }, rounds);
    if (ltxCount !== ourCount) throw new Error(`${name}: ltx read ${ltxCount} stanzas, StanzaStream ${ourCount}`);
    const bytes = encodeUtf8(text).length;
    out(`${name.padEnd(36)} ${String(bytes).padStart(6)} ${ltxMs.toFixed(2).padStart(13)} ${ourMs.toFixed(2).padStart(13)} ${(ltxMs / ourMs).toFixed(1).padStart(6)}x`);
  }
}
