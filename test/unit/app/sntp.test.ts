// SNTP: the request, the checks on an answer, and the policy that sets the clock before TLS
// (set it from the server; keep a plausible clock when the server is silent; otherwise keep asking).

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { PLAUSIBLE_CLOCK_MS, readSntpResponse, setClock, sntpRequest } from "../../../src/app/sntp.js";

const NTP_TO_UNIX_S = 2_208_988_800;

/** A server's answer carrying `unixMs` as its transmit time. */
function answer(unixMs: number, { mode = 4, stratum = 2, leap = 0 } = {}): Uint8Array {
  const packet = new Uint8Array(48);
  packet[0] = (leap << 6) | (4 << 3) | mode;
  packet[1] = stratum;
  const view = new DataView(packet.buffer);
  const seconds = Math.floor(unixMs / 1000) + NTP_TO_UNIX_S;
  view.setUint32(40, seconds >>> 0);
  view.setUint32(44, Math.floor(((unixMs % 1000) / 1000) * 2 ** 32));
  return packet;
}

const NOV_2026 = Date.UTC(2026, 10, 22, 4, 30, 15, 250);

describe("SNTP", () => {
  it("asks as a version 4 client in a 48-byte packet", () => {
    const packet = sntpRequest();
    assert.equal(packet.length, 48);
    assert.equal(packet[0], 0x23);
    assert.ok(packet.slice(1).every((byte) => byte === 0));
  });

  it("reads the server's transmit time to the millisecond", () => {
    assert.equal(readSntpResponse(answer(NOV_2026)), NOV_2026);
  });

  it("reads times past 2036 (NTP era 1)", () => {
    const in2040 = Date.UTC(2040, 0, 1);
    assert.equal(readSntpResponse(answer(in2040)), in2040);
  });

  it("refuses short packets, client packets, unsynchronised servers and kiss-o'-death", () => {
    assert.throws(() => readSntpResponse(new Uint8Array(47)), /47 bytes, expected 48/);
    assert.throws(() => readSntpResponse(answer(NOV_2026, { mode: 3 })), /mode 3, not a server's/);
    assert.throws(() => readSntpResponse(answer(NOV_2026, { leap: 3 })), /not synchronised/);
    assert.throws(() => readSntpResponse(answer(NOV_2026, { stratum: 0 })), /kiss-o'-death/);
    assert.throws(() => readSntpResponse(new Uint8Array([0x24, 2, ...new Uint8Array(46)])), /without a transmit time/);
  });
});

describe("setting the clock before TLS", () => {
  function setup(answers: (() => Promise<number>)[], wallClock: number) {
    const host = new FakeHost();
    const events: string[] = [];
    let clock = wallClock;
    let asked = 0;
    const run = setClock({
      host,
      server: "10.0.0.1:123",
      query: () => answers[Math.min(asked++, answers.length - 1)]!(),
      wallClock: () => clock,
      setClock: (ms) => {
        clock = ms;
      },
      onEvent: (event, detail) => events.push(`${event}: ${detail}`),
    });
    let done = false;
    void run.done.then(() => (done = true));
    return { host, events, run, done: () => done, clock: () => clock, asked: () => asked };
  }

  it("sets the clock from the server's answer and says by how much it was off", async () => {
    const t = setup([async () => NOV_2026], 0);
    await settle();
    assert.ok(t.done());
    assert.equal(t.clock(), NOV_2026);
    assert.match(t.events[0]!, /^clock set: 2026-11-22T04:30:15\.250Z from 10\.0\.0\.1:123 \(was \d+ s behind\)$/);
  });

  it("keeps a clock that already reads a plausible time when the server does not answer", async () => {
    const t = setup([async () => Promise.reject(new Error("no answer within 3 s"))], NOV_2026);
    await settle();
    assert.ok(t.done());
    assert.equal(t.clock(), NOV_2026);
    assert.match(t.events[0]!, /^clock kept: no time from 10\.0\.0\.1:123 \(no answer within 3 s\); keeping 2026-11-22/);
  });

  it("with an unset clock, keeps asking with backoff and says TLS needs it, until an answer comes", async () => {
    const silent = async () => Promise.reject(new Error("no answer within 3 s"));
    const t = setup([silent, silent, async () => NOV_2026], 0);
    await settle();
    assert.ok(!t.done());
    assert.match(t.events[0]!, /^clock unset: .*TLS cannot check certificate dates without it; set the sntp key/);
    t.host.clock.advance(60_000);
    await settle();
    t.host.clock.advance(60_000);
    await settle();
    assert.ok(t.done());
    assert.equal(t.asked(), 3);
    assert.equal(t.clock(), NOV_2026);
  });

  it("does not take an answer from before 2024 as the time", async () => {
    const t = setup([async () => PLAUSIBLE_CLOCK_MS - 1], 0);
    await settle();
    assert.ok(!t.done());
    assert.match(t.events[0]!, /which cannot be today/);
    t.run.stop();
    assert.equal(t.host.clock.pending, 0);
  });
});
