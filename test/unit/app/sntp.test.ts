// SNTP: the request, the checks on an answer, and the policy that sets the clock before TLS
// (set it from the first source of the list that answers; keep a plausible clock when all are
// silent; otherwise keep asking, saying what to set), and the list of sources itself.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { PLAUSIBLE_CLOCK_MS, readSntpResponse, setClock, sntpRequest } from "../../../src/app/sntp.js";
import { sntpSources, type SntpSource } from "../../../src/app/sntp-sources.js";

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
  const ONE: SntpSource[] = [{ endpoint: { host: "10.0.0.1", port: 123 }, role: "the hub" }];

  /** `answers[i]` answers the i-th question, whichever source it goes to (the last one repeats). */
  function setup(answers: (() => Promise<number>)[], wallClock: number, sources: readonly SntpSource[] = ONE) {
    const host = new FakeHost();
    const events: string[] = [];
    const asked: string[] = [];
    let clock = wallClock;
    const run = setClock({
      host,
      sources,
      query: (source) => {
        asked.push(source.endpoint.host);
        return answers[Math.min(asked.length - 1, answers.length - 1)]!();
      },
      wallClock: () => clock,
      setClock: (ms) => {
        clock = ms;
      },
      onEvent: (event, detail) => events.push(`${event}: ${detail}`),
    });
    let done = false;
    void run.done.then(() => (done = true));
    return { host, events, run, done: () => done, clock: () => clock, asked: () => asked.length, hosts: asked };
  }

  const silent = async () => Promise.reject(new Error("no answer within 3 s"));
  const LIST = sntpSources({ configured: "10.0.0.9", hub: "hub.lan", gateway: "192.168.1.1" });

  it("sets the clock from the server's answer and says by how much it was off", async () => {
    const t = setup([async () => NOV_2026], 0);
    await settle();
    assert.ok(t.done());
    assert.equal(t.clock(), NOV_2026);
    assert.match(t.events[0]!, /^clock set: 2026-11-22T04:30:15\.250Z from 10\.0\.0\.1:123 \(the hub\) \(was \d+ s behind\)$/);
  });

  it("keeps a clock that already reads a plausible time when the server does not answer", async () => {
    const t = setup([async () => Promise.reject(new Error("no answer within 3 s"))], NOV_2026);
    await settle();
    assert.ok(t.done());
    assert.equal(t.clock(), NOV_2026);
    assert.match(t.events[0]!, /^clock kept: no time from 10\.0\.0\.1:123 \(the hub\): no answer within 3 s; keeping 2026-11-22/);
  });

  it("with an unset clock, keeps asking with backoff and says TLS needs it, until an answer comes", async () => {
    const t = setup([silent, silent, async () => NOV_2026], 0);
    await settle();
    assert.ok(!t.done());
    assert.match(t.events[0]!, /^clock unset: .*TLS cannot check certificate dates without it; set the sntp key to an NTP server this network reaches/);
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

  it("asks the sources in order until one answers, and says which did and which did not", async () => {
    const t = setup([silent, silent, async () => NOV_2026], 0, LIST);
    await settle();
    assert.ok(t.done());
    assert.deepEqual(t.hosts, ["10.0.0.9", "hub.lan", "192.168.1.1"]);
    assert.match(t.events[0]!, /^clock set: 2026-11-22T04:30:15\.250Z from 192\.168\.1\.1:123 \(the Wi-Fi router\) \(was \d+ s behind\); no time from 10\.0\.0\.9:123 \(the sntp key\): no answer within 3 s, hub\.lan:123 \(the hub\): no answer within 3 s$/);
  });

  it("when no source answers an unset clock, names every one and its reason, and says what to set", async () => {
    const t = setup([silent], 0, LIST);
    await settle();
    assert.ok(!t.done());
    assert.equal(t.asked(), 4);
    const line = t.events[0]!;
    for (const source of ["10.0.0.9:123 (the sntp key)", "hub.lan:123 (the hub)", "192.168.1.1:123 (the Wi-Fi router)", "pool.ntp.org:123 (the sntp_pool key)"]) {
      assert.ok(line.includes(`${source}: no answer within 3 s`), line);
    }
    assert.match(line, /set the sntp key to an NTP server this network reaches \(sntp=<address>\[:port\]/);
    t.run.stop();
  });
});

describe("the SNTP sources", () => {
  it("are the sntp key, the hub, the Wi-Fi router and pool.ntp.org, in that order, each on port 123 unless given", () => {
    const sources = sntpSources({ configured: "time.lan:1123", hub: "hub.lan", gateway: "192.168.1.1" });
    assert.deepEqual(
      sources.map((source) => `${source.endpoint.host}:${source.endpoint.port} ${source.role}`),
      ["time.lan:1123 the sntp key", "hub.lan:123 the hub", "192.168.1.1:123 the Wi-Fi router", "pool.ntp.org:123 the sntp_pool key"],
    );
  });

  it("list a host once, leave out what is not known, and the pool when sntp_pool is empty", () => {
    const sources = sntpSources({ configured: "hub.lan", hub: "HUB.lan", gateway: undefined, pool: "" });
    assert.deepEqual(sources.map((source) => `${source.endpoint.host} ${source.role}`), ["hub.lan the sntp key"]);
  });

  it("refuse an sntp key that is not host[:port], naming the key", () => {
    assert.throws(() => sntpSources({ configured: "a b", hub: "hub.lan" }), /sntp/);
    assert.throws(() => sntpSources({ configured: undefined, hub: "hub.lan", pool: "x:99999" }), /sntp_pool/);
  });
});
