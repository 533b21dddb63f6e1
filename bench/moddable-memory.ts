// `npm run bench:memory`: the firmware's XS memory on an instrumented simulator build (mcconfig
// -d -i -p lin), per phase (boot, TLS login, commands): the chunk and slot heaps' sampled peaks,
// what stays live after a collection, and the stack's peak. Then the same run with heaps that
// cannot grow, sized as the ESP32 builds' `creation` (hosts/moddable/manifest.json), and with
// smaller ones, to show the margin. Needs the Moddable SDK (MODDABLE) and Prosody.
//
// Figures are bytes on the simulator, a 64-bit build: an XS slot is 32 bytes there and 16 on an
// ESP32, so slot counts carry over and byte figures halve; chunks hold strings and buffers (the
// same size) and slot arrays (half the size on ESP32), so chunk bytes on the ESP32 are at most these.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHub, type Hub } from "../hosts/node/hub/prosody.js";
import { freeLoopbackPort } from "../hosts/node/hub/loopback-port.js";
import { hubClient } from "../hosts/node/peer-client.js";
import { projectRoot } from "../hosts/node/project.js";
import { watchProcess } from "../test/support/device-process.js";
import { MICROWAVE, OWNER, ask } from "../test/support/microwave-scenario.js";
import { simulatorMissing } from "../test/support/sim-process.js";

const SLOT_BYTES_SIM = 32;
const COMMANDS = ["help", "PREHEAT 350 20", "status", "GRILL 15", "STOP"];

interface Fixed {
  chunks: number;
  slots: number;
  stack: number;
}

interface Outcome {
  completed: boolean;
  /** "memory" trace lines, without the prefix. */
  figures: string[];
  /** Why it stopped, when it did not complete. */
  failure?: string;
}

async function run(hub: Hub, fixed?: Fixed): Promise<Outcome> {
  const port = await freeLoopbackPort();
  const settings = [
    `jid=${MICROWAVE.user}@${hub.domain}/appliance`,
    `xmpp_password=${MICROWAVE.password}`,
    `server=${hub.host}:${hub.c2sPort}`,
    `ca=${hub.caPath}`,
    `owner=${OWNER.user}@${hub.domain}`,
  ];
  const flags = ["--memory", ...(fixed ? ["--fixed", `${fixed.chunks},${fixed.slots},${fixed.stack}`] : [])];
  const child = spawn(process.execPath, [join(projectRoot(), "scripts/moddable.mjs"), "sim", "--port", String(port), ...flags, join(projectRoot(), "devices/microwave/manifest.json"), ...settings], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const device = watchProcess(child, "the simulator", async () => {
    child.kill("SIGTERM");
  });
  const aborted = /XS abort: ([^\n]+)/;
  const figures = () => [...device.output().matchAll(/memory\s+((boot|login|commands): [^\n]+)/g)].map((m) => m[1]!.trim());
  const owner = hubClient(hub, OWNER, { resource: "bench" });
  owner.on("error", () => {});
  try {
    const first = await Promise.race([device.waitFor(/online\s+\S+/, 300_000), device.waitFor(aborted, 300_000)]);
    if (!/online/.test(first)) return { completed: false, figures: figures(), failure: first };
    await owner.start();
    for (const command of COMMANDS) {
      const answer = await ask(owner, `${MICROWAVE.user}@${hub.domain}/appliance`, command, 20_000).catch((error: Error) => error);
      if (answer instanceof Error) return { completed: false, figures: figures(), failure: aborted.exec(device.output())?.[0] ?? answer.message };
    }
    // One report per command, half a second after it (hosts/moddable/firmware.ts).
    const until = Date.now() + 10_000;
    while (figures().filter((line) => line.startsWith("commands")).length < COMMANDS.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    return { completed: true, figures: figures() };
  } finally {
    await owner.stop().catch(() => {});
    await device.stop();
  }
}

function print(title: string, outcome: Outcome): void {
  console.log(`\n${title}: ${outcome.completed ? `logged in and carried out ${COMMANDS.length} commands` : `FAILED (${outcome.failure})`}`);
  // Each phase's last report holds its highest figures.
  const last = new Map<string, string>();
  for (const line of outcome.figures) last.set(line.slice(0, line.indexOf(":")), line);
  for (const line of last.values()) console.log(`  ${line}`);
}

async function main(): Promise<number> {
  const missing = simulatorMissing();
  if (missing) {
    console.error(`bench:memory: ${missing}`);
    return 2;
  }
  const manifest = JSON.parse(readFileSync(join(projectRoot(), "hosts/moddable/manifest.json"), "utf8"));
  const esp32 = manifest.platforms.esp32.creation as { chunk: { initial: number }; heap: { initial: number }; stack: number };
  const dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-bench-hub-"));
  const hub = await startHub({ dir, accounts: [MICROWAVE, OWNER], c2sPort: 0 });
  try {
    console.log(`slots are ${SLOT_BYTES_SIM} bytes in the simulator, 16 on an ESP32; ESP32 creation: chunks ${esp32.chunk.initial} bytes, ${esp32.heap.initial} slots, stack ${esp32.stack} slots`);
    print("growing heaps (the simulator's defaults)", await run(hub));
    const asBuilt: Fixed = { chunks: esp32.chunk.initial, slots: esp32.heap.initial, stack: esp32.stack };
    print(`fixed heaps as the ESP32 creation (${asBuilt.chunks} B, ${asBuilt.slots} slots, stack ${asBuilt.stack})`, await run(hub, asBuilt));
    for (const share of [0.75, 0.5]) {
      const smaller: Fixed = { chunks: Math.round(asBuilt.chunks * share), slots: Math.round(asBuilt.slots * share), stack: asBuilt.stack };
      print(`fixed heaps at ${share * 100}% of it (${smaller.chunks} B, ${smaller.slots} slots)`, await run(hub, smaller));
    }
  } finally {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
