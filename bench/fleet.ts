// `npm run bench:fleet [-- --counts 100,1000,5000] [--cluster] [--unpaired] [--rate R] [--commands M]`: for each
// count, a hub on loopback (Prosody, or with --cluster two ejabberd nodes behind the balancer) with
// that many fleet accounts, `npm run fleet` logging them in at a bounded rate, then owners sending
// commands with receipt requests to random devices. Prints logins/s, commands/s, send→reply
// p50/p99, commands lost (it fails when any is), the hub's RSS and CPU, and the fleet's heap per
// device; with --cluster it then stops one node and shows the devices coming back on the other;
// with --unpaired the rosters are not provisioned (each device asks its owner at its first login)
// and the fleet boots a second time, with the hub's CPU per login for each boot.
// Everything it starts is stopped by its pid, also on failure; every loop is bounded.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { hubClient } from "../hosts/node/peer-client.js";
import { loadAccounts } from "../hosts/node/hub/account-store.js";
import { startEjabberdHub } from "../hosts/node/hub/ejabberd.js";
import { fleetUser, fleetUsers } from "../hosts/node/hub/fleet-accounts.js";
import { writeHubFile } from "../hosts/node/hub/hub-file.js";
import { type Hub, RAISED_FILE_LIMIT, startHub } from "../hosts/node/hub/prosody.js";
import { EJABBERD_REQUIREMENTS, REQUIREMENTS, ensureRequirements } from "../hosts/node/hub/requirements.js";
import { percentile, processUsage } from "./process-meter.js";

const root = new URL("../..", import.meta.url).pathname;
const fleetCommand = join(root, "build/hosts/node/fleet.mjs");
const manifest = join(root, "devices/microwave/manifest.json");
const OWNERS = 4;
const IN_FLIGHT = 16;
const RECEIPT_TIMEOUT_MS = 30_000;
const COMMANDS = ["status", "PREHEAT 200 5", "GRILL 3", "STOP"];

interface Options {
  counts: number[];
  cluster: boolean;
  rate: number;
  commands: number | undefined;
  /** No roster provisioning: each device asks the owner at its first login; then the fleet boots again. */
  unpaired: boolean;
}

function parse(argv: readonly string[]): Options {
  const options: Options = { counts: [100, 1000, 5000], cluster: false, rate: 100, commands: undefined, unpaired: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const text = argv[++i];
      if (text === undefined || !/^\d+(,\d+)*$/.test(text)) throw new Error(`${flag} needs a number${flag === "--counts" ? " list like 100,1000" : ""}`);
      return text;
    };
    if (flag === "--counts") options.counts = value().split(",").map(Number);
    else if (flag === "--cluster") options.cluster = true;
    else if (flag === "--unpaired") options.unpaired = true;
    else if (flag === "--rate") options.rate = Number(value());
    else if (flag === "--commands") options.commands = Number(value());
    else throw new Error(`unknown option ${flag}; usage: npm run bench:fleet [-- --counts 100,1000,5000] [--cluster] [--unpaired] [--rate LOGINS_PER_S] [--commands M]`);
  }
  if (options.counts.some((n) => n < 1 || n > 20_000)) throw new Error("--counts: each count from 1 to 20000");
  return options;
}

function sum(pids: readonly number[]): { cpu: number; rssMiB: number } {
  return pids.map(processUsage).reduce((a, b) => ({ cpu: a.cpu + b.cpu, rssMiB: a.rssMiB + b.rssMiB }), { cpu: 0, rssMiB: 0 });
}

interface FleetRun {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in what it printed after `from`. */
  waitFor(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

function runFleet(dir: string, count: number, rate: number): FleetRun {
  const child = spawn("/bin/sh", ["-c", RAISED_FILE_LIMIT, process.execPath, "--expose-gc", fleetCommand, manifest, "--count", String(count), "--hub", dir, "--rate", String(rate)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => {
    process.off("exit", killOnExit);
    resolve();
  }));
  let text = "";
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      text += chunk;
      if (text.length > 4_000_000) text = text.slice(-2_000_000);
      for (const listener of listeners) listener();
    });
  }
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text.slice(from));
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`the fleet exited before printing ${pattern}; its last lines:\n${text.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`the fleet did not print ${pattern} within ${timeoutMs / 1000} s; its last lines:\n${text.slice(-3000)}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const lingering = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(lingering);
      }
    },
  };
}

interface Round {
  sent: number;
  acknowledged: number;
  lost: string[];
  latencies: number[];
  seconds: number;
}

/** Sends `total` commands to random devices (never two at once to one device), at most IN_FLIGHT
 * at a time, each with a receipt request; a command is lost when no receipt comes within the timeout. */
async function commandRound(owners: readonly Client[], domain: string, devices: number, total: number, deadlineMs: number): Promise<Round> {
  const busy = new Set<number>();
  const waiting = new Map<string, { device: number; sentAt: number; replied: boolean; done: (ok: boolean) => void }>();
  const latencies: number[] = [];
  const lost: string[] = [];
  const byDevice = new Map<string, string>(); // device JID -> id in flight
  for (const owner of owners) {
    owner.on("stanza", (stanza: Element) => {
      if (!stanza.is("message")) return;
      const from = stanza.attrs.from as string;
      const id = byDevice.get(from);
      const entry = id === undefined ? undefined : waiting.get(id);
      if (entry === undefined) return;
      if (!entry.replied && stanza.getChildText("body") !== null) {
        entry.replied = true;
        latencies.push(performance.now() - entry.sentAt);
      }
      if (stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id === id) entry.done(true);
    });
  }
  let sent = 0;
  let acknowledged = 0;
  const started = performance.now();
  const stopAt = Date.now() + deadlineMs;
  const worker = async (slot: number) => {
    const owner = owners[slot % owners.length]!;
    while (sent < total && Date.now() < stopAt) {
      let device: number;
      do device = Math.floor(Math.random() * devices) + 1;
      while (busy.has(device) && busy.size < devices);
      if (busy.has(device)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      busy.add(device);
      const n = ++sent;
      const id = `bench-${n}`;
      const to = `${fleetUser(device)}@${domain}/appliance`;
      const body = COMMANDS[n % COMMANDS.length]!;
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), RECEIPT_TIMEOUT_MS);
        waiting.set(id, { device, sentAt: performance.now(), replied: false, done: (result) => { clearTimeout(timer); resolve(result); } });
        byDevice.set(to, id);
        owner.send(xml("message", { type: "chat", to, id }, xml("body", {}, body), xml("request", { xmlns: "urn:xmpp:receipts" }))).catch(() => resolve(false));
      });
      waiting.delete(id);
      byDevice.delete(to);
      busy.delete(device);
      if (ok) acknowledged++;
      else lost.push(`${body} to ${fleetUser(device)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, devices) }, (_, slot) => worker(slot)));
  for (const owner of owners) owner.removeAllListeners("stanza");
  return { sent, acknowledged, lost, latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

function describeRound(name: string, round: Round): string[] {
  return [
    `  ${name}: ${round.sent} sent, ${round.acknowledged} acknowledged in ${round.seconds.toFixed(1)} s = ${(round.acknowledged / round.seconds).toFixed(1)} commands/s`,
    `    send→reply p50 ${percentile(round.latencies, 50).toFixed(1)} ms, p99 ${percentile(round.latencies, 99).toFixed(1)} ms; lost ${round.lost.length}${round.lost.length > 0 ? ` (first: ${round.lost.slice(0, 3).join("; ")})` : ""}`,
  ];
}

async function benchmark(count: number, options: Options): Promise<{ lines: string[]; failures: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-bench-fleet-"));
  const lines: string[] = [];
  const failures: string[] = [];
  let hub: Hub | undefined;
  let fleet: FleetRun | undefined;
  const owners: Client[] = [];
  try {
    const accountsStarted = performance.now();
    const accounts = loadAccounts(dir, ["owner", ...fleetUsers(count)]);
    // As `npm run hub -- --fleet N` makes them: the owner and the devices in each other's rosters.
    // With --unpaired, none: each device's first login asks the owner for a subscription.
    const contacts = options.unpaired ? undefined : { owner: "owner", devices: fleetUsers(count) };
    hub = options.cluster
      ? await startEjabberdHub({ dir, accounts, contacts, c2sPort: 0, nodes: 2, startTimeoutMs: 120_000 })
      : await startHub({ dir, accounts, contacts, c2sPort: 0, startTimeoutMs: 60_000 });
    const accountSeconds = (performance.now() - accountsStarted) / 1000;
    const hubPids = hub.nodes?.map((node) => node.pid) ?? [hub.pid];
    writeHubFile(dir, {
      software: hub.software, domain: hub.domain, server: `${hub.host}:${hub.c2sPort}`,
      nodes: (hub.nodes ?? [hub]).map((node) => `${hub!.host}:${node.c2sPort}`),
      ca: hub.caPath, owner: `owner@${hub.domain}`, pid: process.pid,
    });
    lines.push(`${count} devices on ${hub.software}${hub.nodes && hub.nodes.length > 1 ? ` (${hub.nodes.length} nodes)` : ""}: hub started with ${count + 1} accounts in ${accountSeconds.toFixed(1)} s`);

    const beforeLogin = sum(hubPids);
    fleet = runFleet(dir, count, options.rate);
    // Logins are bounded by the rate and by 16 under way at once; at worst 5/s on a loaded machine.
    const loginBudget = Math.max(count / options.rate, count / 5) * 1000 + 120_000;
    const online = await fleet.waitFor(/fleet: (\d+) of (\d+) online in ([\d.]+) s \(([\d.]+) logins\/s\), (\d+) failed/, loginBudget);
    const memory = await fleet.waitFor(/heap ([\d.]+) MiB for (\d+) appliances = ([\d.]+) KiB each; process RSS ([\d.]+) MiB/, 120_000);
    const afterLogin = sum(hubPids);
    if (online[1] !== online[2]) failures.push(`${count}: only ${online[1]} of ${online[2]} devices came online`);
    lines.push(
      `  logins: ${online[1]} of ${online[2]} online in ${online[3]} s = ${online[4]} logins/s (rate bound ${options.rate}/s), ${online[5]} failed`,
      `  hub after logins: RSS ${afterLogin.rssMiB.toFixed(0)} MiB, CPU ${(afterLogin.cpu - beforeLogin.cpu).toFixed(1)} s for the logins = ${(((afterLogin.cpu - beforeLogin.cpu) / count) * 1000).toFixed(1)} ms per login`,
      `  fleet: heap ${memory[3]} KiB per device (${memory[1]} MiB for ${memory[2]}), fleet process RSS ${memory[4]} MiB = ${((Number(memory[4]) * 1024) / count).toFixed(0)} KiB per device`,
    );

    if (options.unpaired) {
      // The second boot: the requests of the first are pending in the rosters.
      await fleet.stop();
      const beforeSecond = sum(hubPids);
      fleet = runFleet(dir, count, options.rate);
      const again = await fleet.waitFor(/fleet: (\d+) of (\d+) online in ([\d.]+) s \(([\d.]+) logins\/s\), (\d+) failed/, loginBudget);
      const afterSecond = sum(hubPids);
      if (again[1] !== again[2]) failures.push(`${count}: only ${again[1]} of ${again[2]} devices came online at the second boot`);
      lines.push(
        `  second boot (requests pending): ${again[1]} of ${again[2]} online in ${again[3]} s = ${again[4]} logins/s, hub CPU ${(afterSecond.cpu - beforeSecond.cpu).toFixed(1)} s for the logins = ${(((afterSecond.cpu - beforeSecond.cpu) / count) * 1000).toFixed(1)} ms per login`,
      );
    }

    // Owners connect straight to the first node: in a cluster, half the devices are on the other.
    const ownerPassword = accounts[0]!.password;
    const ownerPort = hub.nodes?.[0]?.c2sPort ?? hub.c2sPort;
    for (let i = 1; i <= OWNERS; i++) {
      const owner = hubClient({ ...hub, c2sPort: ownerPort }, { user: "owner", password: ownerPassword }, { resource: `bench-${i}` });
      owner.on("error", () => {});
      owners.push(owner);
      await owner.start();
    }
    const total = options.commands ?? Math.min(2000, Math.max(200, count));
    const beforeCommands = sum(hubPids);
    const round = await commandRound(owners, hub.domain, count, total, 300_000);
    const afterCommands = sum(hubPids);
    lines.push(...describeRound("commands", round));
    lines.push(`  hub during commands: RSS ${afterCommands.rssMiB.toFixed(0)} MiB, CPU ${(afterCommands.cpu - beforeCommands.cpu).toFixed(1)} s = ${(((afterCommands.cpu - beforeCommands.cpu) / round.seconds) * 100).toFixed(0)}% of one core`);
    if (round.lost.length > 0) failures.push(`${count}: ${round.lost.length} commands lost (no receipt within ${RECEIPT_TIMEOUT_MS / 1000} s), first: ${round.lost[0]}`);
    if (round.acknowledged < total) failures.push(`${count}: ${round.acknowledged} of ${total} commands acknowledged`);

    if (options.cluster && hub.nodes !== undefined && hub.nodes.length > 1) {
      const from = fleet.output().length;
      const stoppedAt = performance.now();
      await hub.nodes[1]!.stop();
      // The fleet prints its counts every 5 s: wait for all of them online again.
      const back = await fleet.waitFor(new RegExp(`fleet: ${count} online, 0 connecting, 0 reconnecting`), 300_000, from);
      const seconds = (performance.now() - stoppedAt) / 1000;
      lines.push(`  node ${hub.nodes[1]!.name} stopped: all ${count} devices online again (on ${hub.nodes[0]!.name}) within ${seconds.toFixed(1)} s (seen at the fleet's 5 s report: ${back[0]})`);
      const after = await commandRound(owners, hub.domain, count, total, 300_000);
      lines.push(...describeRound("commands after the failover", after));
      if (after.lost.length > 0) failures.push(`${count}: ${after.lost.length} commands lost after the failover`);
    }
  } finally {
    for (const owner of owners) await owner.stop().catch(() => {});
    await fleet?.stop();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { lines, failures };
}

async function main(): Promise<number> {
  // Ctrl-C: exit through process.exit, so that the hub's and the fleet's exit handlers kill them.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
  const options = parse(process.argv.slice(2));
  if (!(await ensureRequirements("bench:fleet", options.cluster ? EJABBERD_REQUIREMENTS : REQUIREMENTS))) return 1;
  console.log(`bench:fleet: ${options.counts.join(", ")} devices, logins at up to ${options.rate}/s, ${OWNERS} owners with ${IN_FLIGHT} commands in flight${options.cluster ? ", two ejabberd nodes" : ", Prosody (epoll)"}; loopback only`);
  const failures: string[] = [];
  for (const count of options.counts) {
    const result = await benchmark(count, options);
    console.log(result.lines.join("\n"));
    failures.push(...result.failures);
  }
  if (failures.length > 0) {
    console.error(`bench:fleet FAILED:\n  ${failures.join("\n  ")}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:fleet FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
