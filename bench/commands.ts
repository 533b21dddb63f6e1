// `npm run bench:commands [-- --count N] [--window W] [--rounds R] [--warm-up U]`: a private
// Prosody hub on loopback, the desktop device (the microwave manifest) and an @xmpp/client echo bot
// (bench/echo-bot.ts, the floor) on it, each its own process; one owner sends each of them, in the
// same run, N (2,000 unless told) `status` and N `PREHEAT 350 20`/`STOP` commands with receipt
// requests, one at a time and W in flight, after U unmeasured ones of every phase each (1,500
// unless told; see WARM_UP for why so many, and for the seconds it lasts at least). The measured
// commands go in R rounds (bench/rounds.ts: 40 unless told); each round runs N/R of every phase,
// the device's and the bot's in turn (which goes first alternating), so that a burst of load from
// other work on a shared machine, or a drift over the run, falls on every phase and both
// contenders rather than on whichever ran then. Prints
// send→reply and send→receipt p50/p99, commands/s, CPU per command (from /proc/<pid>/task/*/schedstat:
// the contender's, split between its main thread and its other threads, and the hub's and the
// owner's while it was served), read and write system calls per command of the contender and the hub
// (/proc/<pid>/io) and the device/echo bot ratios, the receipt p99's with its spread over
// resamples of the rounds (bench/bootstrap.ts), and each contender's garbage collections over the
// measured rounds (V8's --trace-gc-nvp in its log: bench/gc-trace.ts); fails (exit 1)
// when a command loses its reply or receipt, printing the end of each contender's log (each
// writes its log to a file, which the benchmark reads only to see it online or after a failure).
// Every wait is bounded; the hub and both processes are stopped by their pids, also on failure.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import { DEFAULT_PRESENCE_INTERVAL_MS } from "../src/app/appliance.js";
import type { Element } from "ltx";
import { hubClient } from "../hosts/node/peer-client.js";
import { loadAccounts } from "../hosts/node/hub/account-store.js";
import { type Hub, startHub } from "../hosts/node/hub/prosody.js";
import { REQUIREMENTS, ensureRequirements } from "../hosts/node/hub/requirements.js";
import { readNumberOptions } from "./number-options.js";
import { ratioSpread } from "./bootstrap.js";
import { gcText, readGcTrace } from "./gc-trace.js";
import { percentile, systemCalls, systemCallsPer, threadCpu } from "./process-meter.js";
import { reportsRound, roundShares, roundsFor } from "./rounds.js";
import { warmUp as runWarmUp } from "./warm-up.js";

const root = new URL("../..", import.meta.url).pathname;
const USAGE = "usage: npm run bench:commands [-- --count N] [--window W] [--rounds R] [--warm-up U]";
/** A command whose reply or receipt has not come this long after it was sent is lost. */
const ANSWER_TIMEOUT_MS = 15_000;
const START_TIMEOUT_MS = 60_000;
/** The issue's target: the device's send→receipt p99 within this many times the echo bot's. */
const TARGET = 1.5;
/** Commands per phase and contender unless --count says otherwise: a p99 of 200 is the second slowest, of 2,000 the twentieth. */
const DEFAULT_COUNT = 2_000;
/**
 * Unmeasured commands per phase and contender before the measured ones, so that neither side's
 * figures include V8 still compiling its path. V8 optimises a function once it has run enough
 * bytecode, more for a longer function, and compiles it on a helper thread meanwhile: under
 * --trace-opt the device's longest (execute, #apply, readMessage, #onMessage, handle) were
 * optimised only after 500 to 2,700 commands, in jobs of 10-27 ms each, and with 200 of each
 * phase about 330 ms of that compiling fell in the first two measured rounds, the device's worst
 * receipts coming while its compiler thread held one of the two CPUs (perf). In pairs of runs,
 * the device's CPU per PREHEAT/STOP one at a time went from 0.30-0.40 ms with 200 to 0.20-0.26
 * with 1500, and the bot's about as much: the ratio did not move (README, command benchmark).
 */
const WARM_UP = 1_500;
/**
 * The warm-up also lasts this long from its first PREHEAT/STOP (the device's presence interval and
 * 2 s): the device folds the presence updates of the interval after one it sent into one at its
 * end, and the first of those takes a path (building a presence, reading the summary) that V8's
 * code for the command path had never seen; it was deoptimised there, with the functions it was
 * inlined into, and compiled again.
 */
const WARM_UP_MIN_MS = DEFAULT_PRESENCE_INTERVAL_MS + 2_000;

/** A line of V8's --trace-gc-nvp: `[pid:0xisolate]   1234 ms: pause=...`. */
const GC_LINE = /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: /;

type Kind = "status" | "PREHEAT 350 20 / STOP";
type Mode = "one at a time" | "pipelined";

interface Contender {
  readonly name: "device" | "echo bot";
  readonly jid: string;
  readonly child: ChildProcess;
  /** Resolves once the contender's log has a line matching `pattern`; rejects with the log after `timeoutMs` or at its exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
  /** The last lines of its log, without V8's garbage-collection trace. */
  tail(lines: number): string;
  /** Its log so far, the garbage-collection trace in it (--trace-gc-nvp, see bench/gc-trace.ts). */
  log(): string;
}

interface Outcome {
  replies: number[];
  receipts: number[];
  lost: string[];
  seconds: number;
  /** The contender's CPU, from schedstat: its main thread, and its other threads (V8's compiler and GC helpers); its own CPU is the two. */
  mainMs: number;
  helpersMs: number;
  /** The hub's CPU (Prosody's) in the same time: what routing this contender's commands costs it. */
  hubCpuMs: number;
  /** The owner's (this process's): reading this contender's replies and receipts. */
  ownerCpuMs: number;
  /** Read and write system calls (socket and log alike) of the contender, and of the hub in the same time. */
  reads: number;
  writes: number;
  hubReads: number;
  hubWrites: number;
  /** The receipt times of each round merged in, for the ratio's spread over the rounds (bench/bootstrap.ts). */
  receiptsByRound: number[][];
}

/** The owner's side: sends commands and settles each when both its reply and its receipt came. */
class Owner {
  readonly #client: Client;
  readonly #waiting = new Map<string, { sentAt: number; reply?: number; receipt?: number; done: () => void }>();
  #counter = 0;

  constructor(client: Client) {
    this.#client = client;
    client.on("stanza", (stanza: Element) => this.#receive(stanza));
  }

  /** Sends `body` to `to`; resolves with the reply and receipt times in ms, or undefined when one missed ANSWER_TIMEOUT_MS. */
  send(to: string, body: string): Promise<{ reply: number; receipt: number } | undefined> {
    const id = `c${++this.#counter}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(undefined);
      }, ANSWER_TIMEOUT_MS);
      const entry = {
        sentAt: performance.now(),
        done: () => {
          clearTimeout(timer);
          this.#waiting.delete(id);
          resolve({ reply: entry.reply! - entry.sentAt, receipt: entry.receipt! - entry.sentAt });
        },
      } as { sentAt: number; reply?: number; receipt?: number; done: () => void };
      this.#waiting.set(id, entry);
      // The thread carries the id back in the reply; the receipt names the message id.
      void this.#client.send(xml("message", { type: "chat", to, id }, xml("body", {}, body), xml("thread", {}, id), xml("request", { xmlns: "urn:xmpp:receipts" })));
    });
  }

  #receive(stanza: Element): void {
    if (!stanza.is("message")) return;
    const now = performance.now();
    const receiptId = stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id as string | undefined;
    const threadId = stanza.getChildText("body") !== null ? stanza.getChildText("thread") : null;
    for (const [id, field] of [[receiptId, "receipt"], [threadId, "reply"]] as const) {
      const entry = id ? this.#waiting.get(id) : undefined;
      if (entry === undefined || entry[field] !== undefined) continue;
      entry[field] = now;
      if (entry.reply !== undefined && entry.receipt !== undefined) entry.done();
    }
  }
}

function bodies(kind: Kind, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (kind === "status" ? "status" : i % 2 === 0 ? "PREHEAT 350 20" : "STOP"));
}

async function phase(owner: Owner, contender: Contender, hubPid: number, kind: Kind, mode: Mode, count: number, window: number): Promise<Outcome> {
  const outcome = noOutcome();
  const queue = bodies(kind, count);
  const threadsBefore = threadCpu(contender.child.pid!);
  const hubBefore = threadCpu(hubPid);
  const callsBefore = systemCalls(contender.child.pid!);
  const hubCallsBefore = systemCalls(hubPid);
  const ownerCpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    for (let body = queue.shift(); body !== undefined; body = queue.shift()) {
      const times = await owner.send(contender.jid, body);
      if (times === undefined) outcome.lost.push(body);
      else {
        outcome.replies.push(times.reply);
        outcome.receipts.push(times.receipt);
      }
    }
  };
  await Promise.all(Array.from({ length: mode === "pipelined" ? window : 1 }, worker));
  outcome.seconds = (performance.now() - started) / 1000;
  const threads = threadCpu(contender.child.pid!);
  outcome.mainMs = threads.mainMs - threadsBefore.mainMs;
  outcome.helpersMs = threads.helpersMs - threadsBefore.helpersMs;
  const hub = threadCpu(hubPid);
  const calls = systemCalls(contender.child.pid!);
  const hubCalls = systemCalls(hubPid);
  outcome.reads = calls.reads - callsBefore.reads;
  outcome.writes = calls.writes - callsBefore.writes;
  outcome.hubReads = hubCalls.reads - hubCallsBefore.reads;
  outcome.hubWrites = hubCalls.writes - hubCallsBefore.writes;
  outcome.hubCpuMs = hub.mainMs + hub.helpersMs - hubBefore.mainMs - hubBefore.helpersMs;
  const ownerCpu = process.cpuUsage(ownerCpuBefore);
  outcome.ownerCpuMs = (ownerCpu.user + ownerCpu.system) / 1000;
  outcome.replies.sort((a, b) => a - b);
  outcome.receipts.sort((a, b) => a - b);
  return outcome;
}

function noOutcome(): Outcome {
  return { replies: [], receipts: [], lost: [], seconds: 0, mainMs: 0, helpersMs: 0, hubCpuMs: 0, ownerCpuMs: 0, reads: 0, writes: 0, hubReads: 0, hubWrites: 0, receiptsByRound: [] };
}

/** Adds one round's outcome to the phase's. */
function merge(into: Outcome, round: Outcome): void {
  into.replies.push(...round.replies);
  into.receipts.push(...round.receipts);
  into.lost.push(...round.lost);
  into.seconds += round.seconds;
  into.mainMs += round.mainMs;
  into.helpersMs += round.helpersMs;
  into.hubCpuMs += round.hubCpuMs;
  into.ownerCpuMs += round.ownerCpuMs;
  into.reads += round.reads;
  into.writes += round.writes;
  into.hubReads += round.hubReads;
  into.hubWrites += round.hubWrites;
  into.receiptsByRound.push(round.receipts);
}

/**
 * Starts a contender with its output going to a file of its own, as a device's log goes to a
 * terminal or a journal: had the benchmark read it through a pipe, the process that measures
 * would take the device's log lines (one read per command) while the bot's rounds cost it nothing.
 */
function startContender(name: Contender["name"], jid: string, args: string[], logPath: string): Contender {
  const fd = openSync(logPath, "w");
  // Every garbage collection as a line of the log: what outlives the young generation's is what
  // lengthens its pauses (bench/gc-trace.ts). About a hundred lines a run, for each contender alike.
  const child = spawn(process.execPath, ["--trace-gc-nvp", ...args], { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const exit = once(child, "exit");
  void exit.then(() => process.off("exit", killOnExit));
  const log = () => readFileSync(logPath, "utf8");
  return {
    name,
    jid,
    child,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const poll = setInterval(() => {
          const text = log();
          if (pattern.test(text)) {
            clearInterval(poll);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null || performance.now() - started > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`the ${name} did not print ${pattern} within ${timeoutMs} ms${child.exitCode !== null ? ` (it exited with ${child.exitCode})` : ""}; it printed:\n${text}`));
          }
        }, 25);
      });
    },
    tail: (lines) =>
      log()
        .trimEnd()
        .split("\n")
        .filter((line) => !GC_LINE.test(line))
        .slice(-lines)
        .join("\n"),
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const lingering = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(lingering);
    },
  };
}

const ms = (value: number): string => (Number.isNaN(value) ? "-" : value.toFixed(1));

/**
 * The receipt p99 ratio's spread over resamples of the rounds, for the verdict's brackets: how far
 * it could fall or rise on another run of the same build, given how much it moved from round to
 * round. Empty when a contender lost every command (no p99 to compare).
 */
function spreadText(device: number[][], bot: number[][]): string {
  if (device.every((round) => round.length === 0) || bot.every((round) => round.length === 0)) return "";
  const spread = ratioSpread(device, bot, { p: 99, target: TARGET });
  return `; resampling the ${device.length} round${device.length === 1 ? "" : "s"}: ${spread.low.toFixed(2)}-${spread.high.toFixed(2)}x in 90%, within in ${Math.round(spread.withinShare * 100)}%`;
}

function row(kind: Kind, mode: Mode, name: string, outcome: Outcome, count: number): string {
  const answered = outcome.receipts.length;
  return [
    `${kind}, ${mode}`.padEnd(36),
    name.padEnd(9),
    `${(answered / outcome.seconds).toFixed(0).padStart(5)}/s`,
    `reply p50 ${ms(percentile(outcome.replies, 50)).padStart(6)} p99 ${ms(percentile(outcome.replies, 99)).padStart(6)} ms`,
    `receipt p50 ${ms(percentile(outcome.receipts, 50)).padStart(6)} p99 ${ms(percentile(outcome.receipts, 99)).padStart(6)} ms`,
    `CPU ms/command: own ${((outcome.mainMs + outcome.helpersMs) / count).toFixed(2).padStart(5)} (main thread ${(outcome.mainMs / count).toFixed(2)}, helpers ${(outcome.helpersMs / count).toFixed(2)}) hub ${(outcome.hubCpuMs / count).toFixed(2).padStart(5)} owner ${(outcome.ownerCpuMs / count).toFixed(2).padStart(5)}`,
    `system calls/command: own ${systemCallsPer(outcome.reads, outcome.writes, count)}, hub ${systemCallsPer(outcome.hubReads, outcome.hubWrites, count)}`,
    `lost ${outcome.lost.length}`,
  ].join("  ");
}

async function main(): Promise<number> {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
  const options = readNumberOptions(process.argv.slice(2), ["--count", "--window", "--rounds", "--warm-up"], USAGE);
  const count = options.get("--count")?.[0] ?? DEFAULT_COUNT;
  const window = options.get("--window")?.[0] ?? 8;
  const rounds = roundsFor(count, options.get("--rounds")?.[0]);
  const warmUp = options.get("--warm-up")?.[0] ?? WARM_UP;
  if (count < 2 || count > 5_000) throw new Error(`--count: from 2 to 5000; ${USAGE}`);
  if (window < 2 || window > 32) throw new Error(`--window: from 2 to 32 (the device queues at most 32 commands per owner); ${USAGE}`);
  if (rounds < 1 || rounds > count / 2) throw new Error(`--rounds: from 1 to half of --count (${count / 2}); ${USAGE}`);
  if (warmUp > 20_000) throw new Error(`--warm-up: from 0 (none, nor its ${WARM_UP_MIN_MS / 1000} s) to 20000; ${USAGE}`);
  if (!(await ensureRequirements("bench:commands", REQUIREMENTS))) return 1;

  const dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-bench-commands-"));
  let hub: Hub | undefined;
  let client: Client | undefined;
  const contenders: Contender[] = [];
  const failures: string[] = [];
  try {
    const accounts = loadAccounts(dir, ["owner", "microwave", "echo"]);
    const [ownerAccount, microwaveAccount, echoAccount] = accounts as [(typeof accounts)[0], (typeof accounts)[0], (typeof accounts)[0]];
    hub = await startHub({ dir, accounts, contacts: { owner: "owner", devices: ["microwave", "echo"] }, c2sPort: 0, startTimeoutMs: START_TIMEOUT_MS });
    console.log(
      `bench:commands: ${hub.software} on loopback (pid ${hub.pid}); ${count} commands per phase in ${rounds} rounds, each round every phase in turn, device and echo bot in turn (which goes first alternating); ${window} in flight when pipelined; ${warmUp > 0 ? `after ${warmUp} unmeasured of each, for ${WARM_UP_MIN_MS / 1000} s at least` : "no warm-up"}; CPU in ms per command from /proc: the contender's, the hub's and the owner's (this process) in the same time`,
    );
    const echoSettings = join(dir, "echo-bot.json");
    writeFileSync(echoSettings, JSON.stringify({ domain: hub.domain, host: hub.host, c2sPort: hub.c2sPort, caPem: hub.caPem, user: echoAccount.user, password: echoAccount.password }));
    contenders.push(
      startContender("device", `microwave@${hub.domain}/appliance`, [
        join(root, "build/hosts/node/device.mjs"),
        join(root, "devices/microwave/manifest.json"),
        `jid=microwave@${hub.domain}/appliance`,
        `xmpp_password=${microwaveAccount.password}`,
        `server=${hub.host}:${hub.c2sPort}`,
        `ca=${hub.caPath}`,
        `owner=owner@${hub.domain}`,
        `settings=${join(dir, "microwave.settings.json")}`,
      ], join(dir, "device.log")),
      startContender("echo bot", `echo@${hub.domain}/echo`, [join(root, "build/bench/echo-bot.mjs"), echoSettings], join(dir, "echo-bot.log")),
    );
    await contenders[0]!.waitFor(/\bonline\s+microwave@/, START_TIMEOUT_MS);
    await contenders[1]!.waitFor(/echo-bot: online/, START_TIMEOUT_MS);
    client = hubClient(hub, ownerAccount, { resource: "bench" });
    client.on("error", () => {});
    // The owner measures, so it must not stall either: its stream-management answers are writes of
    // their own, which under Nagle wait for the hub's delayed ACK (40 ms) behind a command.
    client.on("connect", () => (client as unknown as { socket?: { setNoDelay?(noDelay: boolean): void } }).socket?.setNoDelay?.(true));
    const owner = new Owner(client);
    await client.start();

    // Unmeasured warm-up of every phase, so that no phase times V8 compiling either side's path
    // for it (WARM_UP; with 40 pipelined `status` only, whichever phase ran first had both tails
    // 2-3x as long as it had when run later), lasting WARM_UP_MIN_MS from its first PREHEAT/STOP.
    const phases = (["status", "PREHEAT 350 20 / STOP"] as const).flatMap((kind) => (["one at a time", "pipelined"] as const).map((mode) => ({ kind, mode })));
    const hubPid = hub.pid;
    if (warmUp > 0) {
      // PREHEAT/STOP first: the rest of the warm-up counts towards its seconds.
      const done = await runWarmUp(
        { phases, commands: warmUp, first: "PREHEAT 350 20 / STOP", extraMode: "one at a time", extra: 200, minMs: WARM_UP_MIN_MS },
        async (kind, mode, commands) => {
          for (const contender of contenders) {
            const outcome = await phase(owner, contender, hubPid, kind, mode, commands, window);
            if (outcome.lost.length > 0) failures.push(`${contender.name}: ${outcome.lost.length} of ${commands} warm-up commands lost (${kind}, ${mode})`);
          }
        },
      );
      console.error(
        `bench:commands: warm-up done in ${(done.ms / 1000).toFixed(1)} s: ${warmUp} commands of each phase, each contender` +
          (done.extraCommands > 0 ? `, and ${done.extraCommands} more PREHEAT/STOP one at a time, so that it lasted ${WARM_UP_MIN_MS / 1000} s from its first` : ""),
      );
    }
    // The phases take turns too, round by round, and the contenders take turns at going first: run
    // phase after phase, the one measured later came out further over the target, whichever it was
    // (the same run with the phases in the other order had `status` over and PREHEAT/STOP within).
    const logsAt = contenders.map((contender) => contender.log().length);
    const outcomes = phases.map(() => new Map<string, Outcome>(contenders.map((contender) => [contender.name, noOutcome()])));
    for (const [round, share] of roundShares(count, rounds).entries()) {
      const inTurn = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const [index, { kind, mode }] of phases.entries()) {
        for (const contender of inTurn) merge(outcomes[index]!.get(contender.name)!, await phase(owner, contender, hubPid, kind, mode, share, window));
      }
      if (reportsRound(round, rounds)) {
        console.error(`bench:commands: round ${round + 1} of ${rounds} done (${share} commands of each phase, each contender)`);
      }
    }
    console.log("phase".padEnd(36) + "  contender");
    for (const [index, { kind, mode }] of phases.entries()) {
      const phaseOutcomes = outcomes[index]!;
      for (const contender of contenders) {
        const outcome = phaseOutcomes.get(contender.name)!;
        outcome.replies.sort((a, b) => a - b);
        outcome.receipts.sort((a, b) => a - b);
        console.log(row(kind, mode, contender.name, outcome, count));
        if (outcome.lost.length > 0) failures.push(`${contender.name}, ${kind}, ${mode}: ${outcome.lost.length} of ${count} lost (no reply or receipt within ${ANSWER_TIMEOUT_MS / 1000} s)`);
      }
      const device = phaseOutcomes.get("device")!;
      const bot = phaseOutcomes.get("echo bot")!;
      const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "-");
      const receiptRatio = percentile(device.receipts, 99) / percentile(bot.receipts, 99);
      console.log(
        `${"".padEnd(36)}  device/echo bot: receipt p99 ${ratio(percentile(device.receipts, 99), percentile(bot.receipts, 99))}${receiptRatio <= TARGET ? ` (within the ${TARGET}x target` : ` (over the ${TARGET}x target`}${spreadText(device.receiptsByRound, bot.receiptsByRound)}), ` +
          `reply p50 ${ratio(percentile(device.replies, 50), percentile(bot.replies, 50))}, commands/s ${ratio(device.receipts.length / device.seconds, bot.receipts.length / bot.seconds)}, CPU ${ratio(device.mainMs + device.helpersMs, bot.mainMs + bot.helpersMs)} (main thread ${ratio(device.mainMs, bot.mainMs)}, helpers ${ratio(device.helpersMs, bot.helpersMs)}), hub CPU ${ratio(device.hubCpuMs, bot.hubCpuMs)}, owner CPU ${ratio(device.ownerCpuMs, bot.ownerCpuMs)}`,
      );
    }
    for (const [index, contender] of contenders.entries()) {
      console.log(`garbage collection over the measured rounds, ${contender.name.padEnd(8)}  ${gcText(readGcTrace(contender.log().slice(logsAt[index])))}`);
    }
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    await client?.stop().catch(() => {});
    for (const contender of contenders) await contender.stop();
    await hub?.stop();
    // The logs go with the directory: on a failure, show how each contender ended.
    if (failures.length > 0) for (const contender of contenders) console.error(`bench:commands: the ${contender.name}'s last log lines:\n${contender.tail(20)}`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`bench:commands FAILED:\n  ${failures.join("\n  ")}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:commands FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
