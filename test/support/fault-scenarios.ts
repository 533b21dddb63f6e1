// The fault scenarios, against a real hub with the desktop device behind the fault proxy
// (test/support/fault-proxy.ts), each returning counts: the suite (test/integration/faults.test.ts)
// runs them bounded and asserts the counts; `npm run soak` (bench/soak.ts) runs them longer and prints them.

import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { projectRoot } from "../../hosts/node/project.js";
import { FaultProxy } from "./fault-proxy.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "./device-process.js";
import { hubClient } from "./hub-client.js";
import { MICROWAVE, OWNER, STRANGER } from "./microwave-scenario.js";
import { seededRandom } from "./seeded-random.js";
import type { Hub } from "./prosody.js";

/** A second device for the trip scenario: a lamp that trips after 1 s on (test/fixtures/tripping-lamp). */
export const LAMP = { user: "lamp", password: "lamp-secret" };
export const trippingLampManifest = join(projectRoot(), "test", "fixtures", "tripping-lamp", "manifest.json");
/** Every account the scenarios use. */
export const FAULT_ACCOUNTS = [MICROWAVE, OWNER, STRANGER, LAMP];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The device behind a new proxy, and an owner's client straight on the hub. */
export async function deviceBehindProxy(hub: Hub, overrides: Record<string, string> = {}, manifest = microwaveManifest, account = MICROWAVE) {
  const proxy = await FaultProxy.start({ host: hub.host, port: hub.c2sPort });
  const device = runDevice(manifest, deviceSettings(hub, account, OWNER.user, { server: `127.0.0.1:${proxy.port}`, ...overrides }));
  const stop = async () => {
    await device.stop();
    await proxy.close();
  };
  return { proxy, device, stop, to: `${account.user}@${hub.domain}/appliance` };
}

export async function startOwner(hub: Hub, account = OWNER, resource = "console"): Promise<Client> {
  const owner = hubClient(hub, account, { resource });
  owner.on("error", () => {});
  await owner.start();
  return owner;
}

/** Lines the device logged for an event (`message`, `duplicate`, `online`...), as their detail text. */
export function logged(device: DeviceRun, event: string): string[] {
  const pattern = new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${event}\\s+(.*)$`, "gm");
  return [...device.output().matchAll(pattern)].map((match) => match[1]!);
}

/** The log lines of an event with their times (ms since midnight UTC, as the device prints them). */
function loggedAt(device: DeviceRun, event: string): { at: number; detail: string }[] {
  const pattern = new RegExp(`^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) ${event}\\s+(.*)$`, "gm");
  return [...device.output().matchAll(pattern)].map((m) => ({ at: ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]), detail: m[5]! }));
}

const DAY_MS = 86_400_000;

export interface CutCounts {
  cuts: number;
  sent: number;
  /** Never carried out, never answered, no error to the sender. */
  lost: number;
  /** Carried out more than once. */
  duplicated: number;
  /** Carried out more than `maxAgeS` after the owner last sent it (a repeat is the owner asking again). */
  late: number;
  /** Carried out, but the owner never got its receipt. */
  unacknowledged: number;
  /** Sends repeated by the owner (no receipt in time, or a bounce). */
  resends: number;
  /** Repeats the device recognised (its `duplicate` log lines). */
  recognised: number;
  /** Sessions the device resumed (XEP-0198), and fresh ones it started (the first included). */
  resumed: number;
  fresh: number;
  seconds: number;
}

/**
 * `cuts` forced disconnects at random moments (every 100–1,200 ms while a connection is open,
 * negotiation included) while an owner sends unique commands with receipt requests, one at a
 * time, repeating a command (same id) when no receipt comes within 8 s or it bounces, as a
 * client would. Then every command is looked up in the device's log.
 */
export async function cutRun(hub: Hub, options: { cuts: number; seed: number; maxAgeS?: number }): Promise<CutCounts> {
  const maxAgeS = options.maxAgeS ?? 30;
  const random = seededRandom(options.seed);
  const { proxy, device, stop, to } = await deviceBehindProxy(hub);
  const owner = await startOwner(hub);
  const started = Date.now();
  try {
    await device.waitFor(/online\s+\S+/, 30_000);
    const receipts = new Set<string>();
    const bounced = new Set<string>();
    owner.on("stanza", (stanza: Element) => {
      if (!stanza.is("message") || !stanza.attrs.from?.startsWith(`${MICROWAVE.user}@`)) return;
      const received = stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id;
      if (received) receipts.add(received);
      if (stanza.attrs.type === "error" && stanza.attrs.id) bounced.add(stanza.attrs.id);
    });
    let cutting = true;
    const cutter = (async () => {
      while (proxy.cuts < options.cuts) {
        await sleep(100 + random() * 1100);
        if (proxy.open > 0) proxy.cut();
      }
      cutting = false;
    })();
    const commands: { id: string; body: string; sends: number[] }[] = [];
    let resends = 0;
    for (let i = 0; cutting || i < 3; i++) {
      const body = `PREHEAT ${50 + (i % 351)} ${1 + Math.floor(i / 351)}`;
      const id = `cut-${options.seed}-${i}`;
      const command = { id, body, sends: [] as number[] };
      commands.push(command);
      for (let attempt = 0; attempt < 8 && !receipts.has(id); attempt++) {
        if (attempt > 0) resends += 1;
        bounced.delete(id);
        command.sends.push(Date.now() % DAY_MS);
        await owner.send(xml("message", { type: "chat", to, id }, xml("body", {}, body), xml("request", { xmlns: "urn:xmpp:receipts" })));
        const deadline = Date.now() + 8_000;
        while (!receipts.has(id) && !bounced.has(id) && Date.now() < deadline) await sleep(10);
        if (bounced.has(id)) await sleep(300);
      }
    }
    await cutter;
    // What is still on its way arrives, or never will.
    await sleep(2_000);
    const carriedOut = new Map<string, number[]>();
    for (const { at, detail } of loggedAt(device, "message")) {
      const body = detail.replace(/^from [^:]+: /, "");
      carriedOut.set(body, [...(carriedOut.get(body) ?? []), at]);
    }
    let lost = 0;
    let duplicated = 0;
    let late = 0;
    let unacknowledged = 0;
    for (const command of commands) {
      const times = carriedOut.get(command.body) ?? [];
      const answered = receipts.has(command.id) || bounced.has(command.id);
      if (times.length === 0 && !answered) lost += 1;
      if (times.length > 1) duplicated += 1;
      if (times.length > 0 && !receipts.has(command.id)) unacknowledged += 1;
      const age = (at: number) => Math.min(...command.sends.map((sent) => (at - sent + DAY_MS) % DAY_MS));
      if (times.some((at) => age(at) > maxAgeS * 1000)) late += 1;
    }
    return { cuts: proxy.cuts, sent: commands.length, lost, duplicated, late, unacknowledged, resends, recognised: logged(device, "duplicate").length, resumed: logged(device, "resumed").length, fresh: logged(device, "online").length, seconds: (Date.now() - started) / 1000 };
  } finally {
    await owner.stop().catch(() => {});
    await stop();
  }
}

export interface TripCounts {
  /** Trip notices the lamp sent to the microwave (its owner, itself a device). */
  notices: number;
  /** Messages between the two devices after the first notice: answers, refusals, answers to those. */
  beyondFirstNotice: number;
}

/**
 * Two devices, each listed as the other's owner (and the owner as the lamp's): the owner switches
 * the lamp on, it trips after 1 s and notifies its owners; then the devices' logs are read for
 * every message one got from the other, `settleMs` long.
 */
export async function tripRun(hub: Hub, settleMs = 3_000): Promise<TripCounts> {
  const microwave = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, LAMP.user));
  const lamp = runDevice(trippingLampManifest, deviceSettings(hub, LAMP, OWNER.user, { owner: `${OWNER.user}@${hub.domain},${MICROWAVE.user}@${hub.domain}` }));
  const owner = await startOwner(hub);
  try {
    await microwave.waitFor(/online\s+\S+/, 30_000);
    await lamp.waitFor(/online\s+\S+/, 30_000);
    await owner.send(xml("message", { type: "chat", to: `${LAMP.user}@${hub.domain}/appliance`, id: "lamp-on" }, xml("body", {}, "ON")));
    await lamp.waitFor(/trip\s+\S+/, 15_000);
    await until(() => logged(microwave, "(?:message|refused|ignored|duplicate|stale|busy)").some((line) => line.includes(`${LAMP.user}@`)), 10_000, "the microwave got no trip notice");
    await sleep(settleMs);
    const fromLamp = logged(microwave, "(?:message|refused|ignored|duplicate|stale|busy)").filter((line) => line.includes(`from ${LAMP.user}@`));
    const fromMicrowave = logged(lamp, "(?:message|refused|ignored|duplicate|stale|busy)").filter((line) => line.includes(`from ${MICROWAVE.user}@`));
    return { notices: fromLamp.length > 0 ? 1 : 0, beyondFirstNotice: fromLamp.length - 1 + fromMicrowave.length };
  } finally {
    await owner.stop().catch(() => {});
    await microwave.stop();
    await lamp.stop();
  }
}

export interface OversizedCounts {
  sent: number;
  /** policy-violation errors the stranger got back. */
  refusals: number;
  disconnects: number;
  /** The owner's status request afterwards was answered. */
  ownerAnswered: boolean;
}

/** A stranger sends `count` bodies of 17 KB (over the device's 16 KiB limit; Prosody relays them). */
export async function oversizedRun(hub: Hub, count: number): Promise<OversizedCounts> {
  const device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
  const to = `${MICROWAVE.user}@${hub.domain}/appliance`;
  const stranger = await startOwner(hub, STRANGER, "laptop");
  const owner = await startOwner(hub);
  try {
    await device.waitFor(/online\s+\S+/, 30_000);
    let refusals = 0;
    stranger.on("stanza", (stanza: Element) => {
      if (stanza.attrs.type === "error" && stanza.getChild("error")?.getChild("policy-violation", "urn:ietf:params:xml:ns:xmpp-stanzas")) refusals += 1;
    });
    const body = "x".repeat(17 * 1024);
    for (let i = 0; i < count; i++) await stranger.send(xml("message", { type: "chat", to, id: `big-${i}` }, xml("body", {}, body)));
    await until(() => refusals >= count, 30_000, `${refusals} of ${count} refusals came back`).catch(() => {});
    let ownerAnswered = false;
    owner.on("stanza", (stanza: Element) => {
      if (stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id === "after-big") ownerAnswered = true;
    });
    await owner.send(xml("message", { type: "chat", to, id: "after-big" }, xml("body", {}, "status"), xml("request", { xmlns: "urn:xmpp:receipts" })));
    await until(() => ownerAnswered, 10_000, "the owner's status got no receipt").catch(() => {});
    return { sent: count, refusals, disconnects: logged(device, "offline").length, ownerAnswered };
  } finally {
    await stranger.stop().catch(() => {});
    await owner.stop().catch(() => {});
    await device.stop();
  }
}

export interface DeadLinkCounts {
  runs: number;
  /** Runs in which the device gave the link up for its silence (connection-timeout). */
  noticed: number;
  /** From the freeze to the device's offline line, per run (ms). */
  noticedAfterMs: number[];
}

/** `runs` times: the device's link freezes (open, nothing passes); how long until the device gives it up. */
export async function deadLinkRun(hub: Hub, options: { runs: number; deadLinkS: number }): Promise<DeadLinkCounts> {
  const { proxy, device, stop } = await deviceBehindProxy(hub, { dead_link_s: String(options.deadLinkS) });
  const noticedAfterMs: number[] = [];
  let noticed = 0;
  try {
    for (let run = 0; run < options.runs; run++) {
      const from = device.output().length;
      await device.waitFor(/(?:online|resumed)\s+\S+/, 30_000, run === 0 ? 0 : from);
      const mark = device.output().length;
      proxy.freeze();
      const frozenAt = Date.now();
      const line = await device.waitFor(/offline\s+.*/, options.deadLinkS * 1000 + 30_000, mark);
      noticedAfterMs.push(Date.now() - frozenAt);
      if (/connection-timeout: nothing heard from the server/.test(line)) noticed += 1;
      proxy.cut();
      proxy.thaw();
    }
    return { runs: options.runs, noticed, noticedAfterMs };
  } finally {
    await stop();
  }
}

export interface HandshakeFaultCounts {
  /** The device process ended (it must not, for a transient fault). */
  exited: boolean;
  /** Connections the proxy cut or held before the device came online. */
  faults: number;
  /** The device came online once the fault was lifted. */
  online: boolean;
}

/**
 * A connection cut 20 ms after the server's <proceed/> (mid-TLS handshake), or blackholed
 * (accepted, never answered), `faults` times: the device retries each as a transient failure and
 * comes online once the proxy passes bytes again.
 */
export async function handshakeFaultRun(hub: Hub, mode: "cut-after-proceed" | "blackhole", faults: number): Promise<HandshakeFaultCounts> {
  const { proxy, device, stop } = await deviceBehindProxy(hub);
  proxy.mode = mode;
  try {
    const faultsSoFar = () => (mode === "blackhole" ? proxy.accepted : proxy.cuts);
    // A blackholed connect waits for the server's stream header until the step's timeout (30 s).
    await until(() => faultsSoFar() >= faults || device.child.exitCode !== null, faults * 45_000, `${faultsSoFar()} of ${faults} faults`);
    proxy.mode = "pass";
    if (mode === "blackhole") proxy.cut();
    const online = await device.waitFor(/online\s+\S+/, 70_000).then(() => true, () => false);
    return { exited: device.child.exitCode !== null, faults: faultsSoFar(), online };
  } finally {
    await stop();
  }
}

export interface StripCounts {
  exitCode: number | null;
  /** What the device said before it stopped. */
  error: string;
  /** Whether anything SASL left the device in plaintext. */
  credentialsSent: boolean;
}

/** The server's STARTTLS offer is stripped from its features: the device must stop, never sending credentials in the clear. */
export async function stripStarttlsRun(hub: Hub): Promise<StripCounts> {
  const { proxy, device, stop } = await deviceBehindProxy(hub);
  proxy.mode = "strip-starttls";
  try {
    const exitCode = await Promise.race([device.exit, sleep(30_000).then(() => null)]);
    const error = logged(device, "error").join("\n") || device.output().split("\n").filter((line) => /error/.test(line)).join("\n");
    return { exitCode, error, credentialsSent: proxy.plaintextFromDevice.some((text) => /<auth\b|<response\b/.test(text)) };
  } finally {
    await stop();
  }
}

export interface FloodCounts {
  sent: number;
  /** Receipts the owner got (each one after its reply). */
  receipts: number;
  replies: number;
  busy: number;
  disconnects: number;
  /** Why the device went offline, each time. */
  offline: string[];
  seconds: number;
}

/** An owner sends `status` at `rate` messages a second for `seconds`, each with a receipt request; then waits for the answers. */
export async function floodRun(hub: Hub, options: { rate: number; seconds: number }): Promise<FloodCounts> {
  const device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
  const to = `${MICROWAVE.user}@${hub.domain}/appliance`;
  const owner = await startOwner(hub);
  const started = Date.now();
  try {
    await device.waitFor(/online\s+\S+/, 30_000);
    let receipts = 0;
    let replies = 0;
    let busy = 0;
    owner.on("stanza", (stanza: Element) => {
      if (!stanza.is("message") || stanza.attrs.from !== to) return;
      if (stanza.getChild("received", "urn:xmpp:receipts")) receipts += 1;
      const body = stanza.getChildText("body");
      if (body !== null) {
        replies += 1;
        if (body.startsWith("error: busy")) busy += 1;
      }
    });
    const total = options.rate * options.seconds;
    const begin = Date.now();
    for (let sent = 0; sent < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * options.rate));
      for (; sent < due; sent++) void owner.send(xml("message", { type: "chat", to, id: `flood-${sent}` }, xml("body", {}, "status"), xml("request", { xmlns: "urn:xmpp:receipts" })));
      await sleep(10);
    }
    await until(() => receipts >= total, 60_000, `${receipts} of ${total} receipts`).catch(() => {});
    return { sent: total, receipts, replies, busy, disconnects: logged(device, "offline").length, offline: logged(device, "offline"), seconds: (Date.now() - started) / 1000 };
  } finally {
    await owner.stop().catch(() => {});
    await device.stop();
  }
}
