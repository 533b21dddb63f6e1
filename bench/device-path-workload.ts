// The workload of `npm run bench:device-path`, the same on Node and on XS: the device's own path
// for one command, from the bytes of an owner's chat message (as Prosody sends it to a
// stream-managed session: the message, then <r/>) to the bytes of its reply, its receipt and the
// <a/> leaving in one write. The real Appliance, microwave device, drivers and simulated pins of the
// desktop, over the test suite's scripted connection (no socket, no TLS), logged in with stream
// management as on the hub. Per kind (`status`, `PREHEAT 350 20`, `STOP`): µs per command and, on
// xsnap, meter units per command (one per XS bytecode, plus native functions' counts: the same on
// any machine, whatever its load).

import { Appliance } from "../src/app/appliance.js";
import { readConnectionConfig } from "../src/app/config.js";
import { createDevice } from "../src/device/create-device.js";
import { readDeviceDeclaration } from "../src/device/declaration.js";
import { createSimulatedPins } from "../hosts/sim/pins.js";
import { FakeHost, settle } from "../test/support/fake-host.js";
import { XmppTestServer, type SmSession } from "../test/support/xmpp-server.js";
import { decodeUtf8 } from "../src/xml/utf8.js";
import { microwave, SOURCE } from "../test/unit/device/fixtures/microwave.js";

declare const print: ((...args: unknown[]) => void) | undefined;
declare const performance: { now(): number };
/** xsnap's meter: returns the count so far and restarts it (xsnap's `resetMeter(limit, index)`). */
declare const resetMeter: ((limit: number, index: number) => number) | undefined;
const out = typeof print === "function" ? print : (...args: unknown[]) => console.log(...args);
const metered = typeof resetMeter === "function";

const OWNER = "owner@hub.test/phone";
const DEVICE = "microwave@hub.test/appliance";

interface Rig {
  /** Sends one command as the hub would and resolves once the device has written its answer. */
  command(body: string): Promise<void>;
  /** What the device wrote for the last command, chunk by chunk. */
  lastWritten(): string[];
}

async function rig(): Promise<Rig> {
  const sm: SmSession = { id: "sm-bench", handled: 0, clientAcked: undefined, resumable: true, enabled: false, resumes: 0 };
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], username: "microwave", resource: "appliance", streamManagement: sm });
  const host = new FakeHost({ server: server.connection });
  const declaration = readDeviceDeclaration(microwave(), SOURCE);
  let lines = 0;
  const pins = createSimulatedPins({ drivers: declaration.drivers, sensors: declaration.sensors, host, log: () => void (lines += 1) });
  let appliance: Appliance | undefined;
  const device = createDevice(declaration, { host, pins, onChange: () => appliance?.deviceChanged() });
  const config = readConnectionConfig({ jid: DEVICE, xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test" });
  appliance = new Appliance({ host, config, device, onEvent: () => void (lines += 1) });
  await appliance.start();
  await settle(40);
  // From here on the bench plays the hub, and reads what the device writes as bytes: the scripted
  // server would decode and parse every write, and that cost is not the device's. It answers the
  // device's <r/> with the count of stanzas the device sent, as the hub does.
  const connection = server.connection;
  connection.decoding = false;
  let written: Uint8Array[] = [];
  let fromDevice = 0;
  connection.onBytes((bytes) => {
    written.push(bytes);
    const asked = scan(bytes);
    fromDevice += asked.stanzas;
    if (asked.ackRequest) connection.push(`<a xmlns='urn:xmpp:sm:3' h='${fromDevice}'/>`);
  });
  let counter = 0;
  return {
    async command(body) {
      const id = `c${++counter}`;
      written = [];
      connection.push(
        `<message xml:lang='en' id='${id}' from='${OWNER}' to='${DEVICE}' type='chat'><body>${body}</body><thread>${id}</thread><request xmlns='urn:xmpp:receipts'/></message><r xmlns='urn:xmpp:sm:3'/>`,
      );
      for (let round = 0; round < 100 && written.length === 0; round++) await settle(1);
      // Every hundredth command (and the first) is read whole: its reply and receipt must be there.
      if (counter % 100 === 1 || written.length === 0) {
        const text = written.map((bytes) => decodeUtf8(bytes)).join("");
        if (!text.includes(`<received xmlns="urn:xmpp:receipts" id="${id}"/>`) || !text.includes(`<thread>${id}</thread>`)) {
          throw new Error(`bench:device-path: no reply and receipt for ${body} (${id}) in one write; written: ${text || "nothing"}`);
        }
      }
      // About the pace of `npm run bench:commands` one at a time: the timers due meanwhile run.
      host.clock.advance(1);
    },
    lastWritten: () => written.map((bytes) => decodeUtf8(bytes)),
  };
}

const LT = 0x3c;

/** The stanzas in a write (<message, <presence, <iq at any depth: the device nests none of them) and whether it holds an <r/>. */
function scan(bytes: Uint8Array): { stanzas: number; ackRequest: boolean } {
  let stanzas = 0;
  let ackRequest = false;
  for (let at = bytes.indexOf(LT); at >= 0; at = bytes.indexOf(LT, at + 1)) {
    const next = bytes[at + 1];
    const after = bytes[at + 2];
    if (next === 0x6d /* m */ && after === 0x65 /* e */ && bytes[at + 3] === 0x73 /* s */) stanzas += 1;
    else if (next === 0x70 /* p */ && after === 0x72 /* r */ && bytes[at + 3] === 0x65 /* e */) stanzas += 1;
    else if (next === 0x69 /* i */ && after === 0x71 /* q */) stanzas += 1;
    else if (next === 0x72 /* r */ && after === 0x20 /* space */) ackRequest = true;
  }
  return { stanzas, ackRequest };
}

const KINDS: [string, string[]][] = [
  ["status", ["status"]],
  ["PREHEAT 350 20 / STOP", ["PREHEAT 350 20", "STOP"]],
];

export interface PathCost {
  kind: string;
  /** µs per command on this runtime (a shared machine's load shows in it). */
  us: number;
  /** xsnap meter units per command; NaN elsewhere. */
  units: number;
}

/** Each kind's cost per command, `commands` of them after as many unmeasured; and what one PREHEAT wrote. */
export async function measure(commands: number): Promise<{ costs: PathCost[]; sample: string[] }> {
  const device = await rig();
  await device.command("PREHEAT 350 20");
  const sample = device.lastWritten();
  await device.command("STOP");
  const costs: PathCost[] = [];
  for (const [kind, bodies] of KINDS) {
    for (let i = 0; i < commands; i++) await device.command(bodies[i % bodies.length]!);
    if (metered) resetMeter!(0, 0);
    const start = performance.now();
    for (let i = 0; i < commands; i++) await device.command(bodies[i % bodies.length]!);
    const us = ((performance.now() - start) * 1000) / commands;
    costs.push({ kind, us, units: metered ? resetMeter!(0, 0) / commands : NaN });
  }
  return { costs, sample };
}

export async function run(runtime: string, commands: number): Promise<void> {
  const { costs, sample } = await measure(commands);
  out(`${runtime}: ${commands} commands per kind after ${commands} unmeasured; one command writes ${sample.length} chunk(s), ${sample.join("").length} characters`);
  out(`${"kind".padEnd(24)} ${"µs/command".padStart(10)} ${metered ? "meter units/command".padStart(20) : ""}`);
  for (const { kind, us, units } of costs) {
    out(`${kind.padEnd(24)} ${us.toFixed(1).padStart(10)} ${metered ? Math.round(units).toLocaleString("en-US").padStart(20) : ""}`);
  }
}
