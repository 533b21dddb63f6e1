// The workload of the XML reader benchmark, the same on Node and on XS: the same stanzas read
// by xmpp.js's stream parser (@xmpp/xml: ltx's SAX parser building ltx Elements), by ltx.parse
// (one stanza from one string) and by the project's StanzaStream; and encodeUtf8 at several
// lengths. On xsnap, costs are also given in meter units (one per XS bytecode, plus the native
// functions' own counts): they do not depend on the machine's load.

// @ts-expect-error: @xmpp/xml ships no types; it is only measured here.
import { Parser } from "@xmpp/xml";
import { parse } from "ltx";
import { StanzaStream } from "../src/xml/stanza-stream.js";
import { encodeUtf8 } from "../src/xml/utf8.js";

declare const print: ((...args: unknown[]) => void) | undefined;
declare const performance: { now(): number };
/** xsnap's meter: returns the count so far and restarts it (xsnap's `resetMeter(limit, index)`). */
declare const resetMeter: ((limit: number, index: number) => number) | undefined;
const out = typeof print === "function" ? print : (...args: unknown[]) => console.log(...args);
const metered = typeof resetMeter === "function";

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

// Small stanzas of the kinds a device reads all day, each read on its own (one write, one stanza).
const stanzaKinds: [string, string][] = [
  ["chat command with receipt request", "<message type='chat' to='microwave@hub.test/appliance' from='owner@hub.test/phone' id='m1'><body>PREHEAT 350 20</body><request xmlns='urn:xmpp:receipts'/></message>"],
  ["empty message", "<message/>"],
  ["presence with caps", "<presence from='owner@hub.test/phone' to='microwave@hub.test'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://gajim.org' ver='QM2Pg5pYwk1M6/H4vW/GjC+R3Xg='/></presence>"],
  ["ping iq", "<iq type='get' from='hub.test' to='microwave@hub.test/appliance' id='ping-1'><ping xmlns='urn:xmpp:ping'/></iq>"],
  ["iq result", "<iq type='result' from='hub.test' to='microwave@hub.test/appliance' id='c0ffee-12'/>"],
];

function timeIt(read: () => void, rounds: number): number {
  read(); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) read();
  return (performance.now() - start) / rounds;
}

/** Meter units per call (xsnap only; NaN elsewhere). */
function meterIt(read: () => void, rounds: number): number {
  if (!metered) return NaN;
  read();
  resetMeter!(0, 0);
  for (let i = 0; i < rounds; i++) read();
  return resetMeter!(0, 0) / rounds;
}

function chunks(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

function counting(onStanza: () => void): StanzaStream {
  return new StanzaStream({
    onHeader() {},
    onStanza: onStanza,
    onEnd() {},
    onError(error) {
      throw error;
    },
  });
}

function streams(rounds: number): void {
  out(`15 KB inputs, each read ${rounds} times after a warm-up, fed in 1 KB chunks; ms per input`);
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
      const reader = counting(() => ourCount++);
      for (const chunk of byteChunks) reader.write(chunk);
    }, rounds);
    if (ltxCount !== ourCount) throw new Error(`${name}: ltx read ${ltxCount} stanzas, StanzaStream ${ourCount}`);
    const bytes = encodeUtf8(text).length;
    out(`${name.padEnd(36)} ${String(bytes).padStart(6)} ${ltxMs.toFixed(2).padStart(13)} ${ourMs.toFixed(2).padStart(13)} ${(ltxMs / ourMs).toFixed(1).padStart(6)}x`);
  }
}

function perStanza(rounds: number): void {
  out("");
  out(`small stanzas, each read ${rounds} times on its own: ltx.parse(string) against StanzaStream.write(bytes) on an open stream`);
  out(`ratio = StanzaStream / ltx.parse (below 1: the reader costs less)${metered ? "; units = xsnap meter units per stanza" : ""}`);
  const unitsHead = metered ? ` ${"ltx units".padStart(10)} ${"our units".padStart(10)} ${"ratio".padStart(6)}` : "";
  out(`${"stanza".padEnd(34)} ${"bytes".padStart(5)} ${"ltx µs".padStart(8)} ${"our µs".padStart(8)} ${"ratio".padStart(6)}${unitsHead}`);
  for (const [name, stanza] of stanzaKinds) {
    const bytes = encodeUtf8(stanza);
    let count = 0;
    const reader = counting(() => count++);
    reader.write(encodeUtf8(HEADER));
    const ltxUs = timeIt(() => parse(stanza), rounds) * 1000;
    const ourUs = timeIt(() => reader.write(bytes), rounds) * 1000;
    if (count !== rounds + 1) throw new Error(`${name}: StanzaStream read ${count} stanzas, not ${rounds + 1}`);
    let units = "";
    if (metered) {
      const ltxUnits = meterIt(() => parse(stanza), rounds);
      const ourUnits = meterIt(() => reader.write(bytes), rounds);
      units = ` ${ltxUnits.toFixed(0).padStart(10)} ${ourUnits.toFixed(0).padStart(10)} ${(ourUnits / ltxUnits).toFixed(2).padStart(6)}`;
    }
    out(`${name.padEnd(34)} ${String(bytes.length).padStart(5)} ${ltxUs.toFixed(2).padStart(8)} ${ourUs.toFixed(2).padStart(8)} ${(ourUs / ltxUs).toFixed(2).padStart(6)}${units}`);
  }
  const count = 100_000;
  const empty = encodeUtf8("<message/>".repeat(100));
  let read = 0;
  const reader = counting(() => read++);
  reader.write(encodeUtf8(HEADER));
  const start = performance.now();
  for (let i = 0; i < count / 100; i++) reader.write(empty);
  const ms = performance.now() - start;
  if (read !== count) throw new Error(`read ${read} of ${count} empty stanzas`);
  out(`a stream of ${count} empty stanzas (<message/>, 1000-byte writes): ${ms.toFixed(0)} ms, ${((ms * 1000) / count).toFixed(2)} µs a stanza`);
}

function encoding(rounds: number): void {
  out("");
  out(`encodeUtf8 (half 'é', half ASCII), ${rounds} calls per length: the cost per character should not grow with the length`);
  out(`${"chars".padStart(6)} ${"µs/call".padStart(10)} ${"ns/char".padStart(8)}${metered ? ` ${"units/call".padStart(11)} ${"units/char".padStart(10)}` : ""}`);
  for (const length of [256, 1024, 4096, 16384]) {
    const text = "é".repeat(length / 2) + "a".repeat(length / 2);
    const us = timeIt(() => encodeUtf8(text), rounds) * 1000;
    let units = "";
    if (metered) {
      const perCall = meterIt(() => encodeUtf8(text), rounds);
      units = ` ${perCall.toFixed(0).padStart(11)} ${(perCall / length).toFixed(3).padStart(10)}`;
    }
    out(`${String(length).padStart(6)} ${us.toFixed(2).padStart(10)} ${((us * 1000) / length).toFixed(1).padStart(8)}${units}`);
  }
}

export function run(engine: string, rounds: number): void {
  out(`engine: ${engine}`);
  streams(rounds);
  perStanza(rounds * 50);
  encoding(rounds * 5);
}
