// `npm run bench:login [-- --rtt 200,400] [--runs 3]`: logs the desktop device and @xmpp/client in
// to a private hub (Prosody, TLS 1.2 only) through a delay proxy on loopback, in the same run:
// a first login, a reconnect after the proxy cuts the connection, a second one (the device then
// holds a FAST token), and a restart (a new client; the device keeps its token in its store).
// Prints per case the client flights, the wall time in round trips, the compute time (the same
// login without delay), the ratios device/@xmpp/client, and the exchanges each device login was
// made of. Then the firmware in the Moddable simulator (mcsim, the SDK's own
// TLS 1.2) through the same proxies, and through a TLS front that keeps session ids (Prosody 0.12
// resumes none; bench/tls-front.ts), so a Moddable reconnect that resumes TLS is measured too:
// the same four cases (its restart a new mcsim on the same file root, so with its stored token);
// skipped, saying why, without the SDK. Everything it starts is stopped by its pid, also on failure.
import { dirname } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hubClient } from "../hosts/node/peer-client.js";
import { createNodeHost } from "../hosts/node/host.js";
import { type Hub, startHub } from "../hosts/node/hub/prosody.js";
import { Appliance, type ApplianceEvent } from "../src/app/appliance.js";
import { readConnectionConfig } from "../src/app/config.js";
import { MemorySettingsStore } from "../src/app/stored-text.js";
import { TLS_RESUME_REFUSED } from "../src/xmpp/negotiation.js";
import { DelayProxy, type ProxiedConnection } from "./delay-proxy.js";
import { readNumberOptions } from "./number-options.js";
import { TlsFront } from "./tls-front.js";
import { microwaveManifest, type DeviceRun } from "../test/support/device-process.js";
import { runSim, simulatorMissing } from "../test/support/sim-process.js";
import { startSntpServer, type SntpServer } from "../test/support/sntp-server.js";

const STEP_TIMEOUT_MS = 60_000;
/** "device tls://" connects with direct TLS (XEP-0368); the others with STARTTLS. */
const CLIENTS = ["device", "device tls://", "@xmpp/client"] as const;
/** The firmware in mcsim: STARTTLS, direct TLS, and direct TLS through the TLS front (resumable). */
const SIM_CLIENTS = ["mcsim", "mcsim tls://", "mcsim tls:// front"] as const;
const DEVICES = ["device", "device tls://", ...SIM_CLIENTS] as const;
type ClientName = (typeof CLIENTS)[number] | (typeof SIM_CLIENTS)[number];
/**
 * The first build for the simulator compiles the SDK's C sources: minutes. The wait for its trace
 * line ends first, so that a failure comes with what mcsim printed.
 */
const SIM_START_MS = 600_000;
/**
 * A reconnect, then a second one (by then the device holds a FAST token; the second comes within
 * the minute after the first, so with the backoff), then a restart: a new client, the device's
 * store kept (its token; no TLS session: that is held in memory).
 */
const CASES = ["first login", "reconnect", "reconnect, FAST", "restart, FAST"] as const;
type Case = (typeof CASES)[number];
/** The firmware in mcsim has them all: its restart is a new mcsim on the same file root (its stored token). */
const SIM_CASES: readonly Case[] = CASES;

function casesOf(name: ClientName): readonly Case[] {
  return (SIM_CLIENTS as readonly string[]).includes(name) ? SIM_CASES : CASES;
}

interface Options {
  rtts: number[];
  runs: number;
}

function parse(argv: readonly string[]): Options {
  const given = readNumberOptions(argv, ["--rtt", "--runs"], "usage: npm run bench:login [-- --rtt 200,400] [--runs 3]");
  const options: Options = { rtts: given.get("--rtt") ?? [200, 400], runs: given.get("--runs")?.[0] ?? 3 };
  if (options.runs < 1 || options.runs > 20) throw new Error("--runs: from 1 to 20");
  if (options.rtts.some((rtt) => rtt > 2000)) throw new Error("--rtt: at most 2000 ms each");
  return options;
}

/** One measured login: from the client's TCP connect (or from the cut) to online. */
interface Sample {
  flights: number;
  /** From the TCP connect of the connection that came online to online, ms. */
  loginMs: number;
  /** From the cut to that connect (the reconnect delay), ms; 0 for a first login. */
  waitMs: number;
  /** What the login was made of, as the device reported its steps ("" where not known). */
  steps: string;
}

/** A client that logs in, and comes back by itself after a cut. */
interface Contender {
  /** Resolves when online, with the moment it came online (performance.now()). */
  start(): Promise<number>;
  /** Resolves at the next online after now (a reconnect), with its moment. */
  nextOnline(): Promise<number>;
  /** The steps reported since the last call (what the last login was made of), where known. */
  takeSteps?(): string;
  stop(): Promise<void>;
}

function withTimeout<T>(work: Promise<T>, what: string, ms = STEP_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The device's steps, shortened to what each exchange was. */
const STEP_WORDS: Partial<Record<ApplianceEvent, (detail: string) => string>> = {
  secure: (detail) => (detail.endsWith("(TLS session resumed)") ? "TLS resumed" : detail.includes(TLS_RESUME_REFUSED) ? "TLS full (resumption refused)" : "TLS full"),
  authenticated: (detail) => detail,
  bound: (detail) => (detail.includes("(Bind2)") ? "Bind2" : "bind"),
  resumed: () => "stream resumed",
  online: () => "roster get with presence (one write)",
};

/** The device on the desktop host; `store` holds its FAST token, and outlives it as its settings file does a restart. */
function deviceContender(hub: Hub, proxy: DelayProxy, directTls: boolean, store: MemorySettingsStore): Contender {
  const host = createNodeHost({ ca: hub.caPem, store });
  const waiters: ((at: number) => void)[] = [];
  let onlineAt = 0;
  let steps: string[] = [];
  const device = { name: "bench", opcodes: [], handle: async () => "ok", summary: () => "idle", safe: () => {} };
  const appliance = new Appliance({
    host,
    config: readConnectionConfig({ jid: `device@${hub.domain}/bench`, xmpp_password: "device-secret", server: `${directTls ? "tls://" : ""}${hub.host}:${proxy.port}`, ca: hub.caPath }),
    device,
    onEvent: (event: ApplianceEvent, detail) => {
      if (event === "connecting") steps = directTls ? ["TCP"] : ["TCP", "STARTTLS"];
      const word = STEP_WORDS[event]?.(detail);
      if (word !== undefined) steps.push(word);
      if (event === "online" || event === "resumed") {
        onlineAt = performance.now();
        waiters.splice(0).forEach((wake) => wake(onlineAt));
      }
      if (event === "error") console.error(`  device: ${detail}`);
    },
  });
  return {
    start: async () => {
      await appliance.start();
      return onlineAt;
    },
    nextOnline: () => new Promise<number>((resolve) => waiters.push(resolve)),
    takeSteps: () => steps.splice(0).join(", "),
    stop: async () => appliance.stop(),
  };
}

/** The firmware's trace lines (`event        detail`, hosts/moddable/firmware.ts) of the last connect in `trace`, as the desktop device's steps. */
function stepsOfTrace(trace: string, directTls: boolean): string {
  let steps: string[] = [];
  for (const [, event, detail] of trace.matchAll(/(?:^|\] )([a-z]+) +([^\n]*)$/gm)) {
    if (event === "connecting") steps = directTls ? ["TCP"] : ["TCP", "STARTTLS"];
    const word = STEP_WORDS[event as ApplianceEvent]?.(detail!.trimEnd());
    if (word !== undefined) steps.push(word);
  }
  return steps.join(", ");
}

/**
 * The firmware in mcsim, built for `server`; its trace says when it is online. `data`: its file
 * root (its stored settings and FAST token), private to one measure and kept across its restart.
 */
function simContender(hub: Hub, sntp: SntpServer, server: string, data: string): Contender {
  const online = /(?:online|resumed) +\S+@\S+/;
  let run: DeviceRun | undefined;
  let from = 0;
  let stepsFrom = 0;
  return {
    start: async () => {
      const settings = {
        jid: `device@${hub.domain}/mcsim`, xmpp_password: "device-secret", server, ca: hub.caPath, owner: `peer@${hub.domain}`,
        sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}`,
      };
      run = await runSim(microwaveManifest, Object.entries(settings).map(([key, value]) => `${key}=${value}`), ["--data", data]);
      await run.waitFor(online, SIM_START_MS);
      const at = performance.now();
      from = run.output().length;
      return at;
    },
    nextOnline: async () => {
      await run!.waitFor(online, STEP_TIMEOUT_MS, from);
      const at = performance.now();
      from = run!.output().length;
      return at;
    },
    takeSteps: () => {
      const steps = stepsOfTrace(run!.output().slice(stepsFrom, from), server.startsWith("tls://"));
      stepsFrom = from;
      return steps;
    },
    stop: async () => run?.stop(),
  };
}

function xmppjsContender(hub: Hub, proxy: DelayProxy): Contender {
  const xmpp = hubClient({ domain: hub.domain, host: hub.host, c2sPort: proxy.port, caPem: hub.caPem }, { user: "peer", password: "peer-secret" }, { reconnect: true });
  xmpp.on("error", () => {}); // a cut is expected; reconnect handles it
  return {
    start: () => new Promise<number>((resolve, reject) => {
      xmpp.once("online", () => resolve(performance.now()));
      xmpp.start().catch(reject);
    }),
    nextOnline: () => new Promise<number>((resolve) => xmpp.once("online", () => resolve(performance.now()))),
    stop: async () => {
      xmpp.reconnect.stop();
      await xmpp.stop().catch(() => {});
    },
  };
}

/** The connection that came online last, among those opened since `from`. */
function lastSince(proxy: DelayProxy, from: number): ProxiedConnection {
  const opened = proxy.connections.slice(from);
  if (opened.length === 0) throw new Error("no connection went through the proxy");
  return opened[opened.length - 1]!;
}

interface Proxies {
  starttls: DelayProxy;
  directTls: DelayProxy;
  /** To the TLS front (which keeps session ids) before the direct TLS port. */
  front: DelayProxy;
}

/** `store`: the device's settings, shared by the contenders of one measure (a restart keeps them). */
function contenderFor(hub: Hub, proxies: Proxies, name: ClientName, sntp: SntpServer | undefined, store: MemorySettingsStore, simData: string): { proxy: DelayProxy; contender: Contender } {
  switch (name) {
    case "device":
      return { proxy: proxies.starttls, contender: deviceContender(hub, proxies.starttls, false, store) };
    case "device tls://":
      return { proxy: proxies.directTls, contender: deviceContender(hub, proxies.directTls, true, store) };
    case "@xmpp/client":
      return { proxy: proxies.starttls, contender: xmppjsContender(hub, proxies.starttls) };
    case "mcsim":
      return { proxy: proxies.starttls, contender: simContender(hub, sntp!, `${hub.host}:${proxies.starttls.port}`, simData) };
    case "mcsim tls://":
      return { proxy: proxies.directTls, contender: simContender(hub, sntp!, `tls://${hub.host}:${proxies.directTls.port}`, simData) };
    case "mcsim tls:// front":
      return { proxy: proxies.front, contender: simContender(hub, sntp!, `tls://${hub.host}:${proxies.front.port}`, simData) };
  }
}

/** Measures `name`'s cases in order, handing each sample to `record` as it comes (a later failure keeps it). */
async function measure(hub: Hub, proxies: Proxies, name: ClientName, record: (which: Case, sample: Sample) => void, sntp?: SntpServer): Promise<void> {
  const store = new MemorySettingsStore();
  const simData = mkdtempSync(join(tmpdir(), "xmpp-appliance-bench-mcsim-"));
  let { proxy, contender } = contenderFor(hub, proxies, name, sntp, store, simData);
  const cases = casesOf(name);
  try {
    const login = async (which: Case, online: Promise<number>, cutAt: number | undefined, from: number, ms = STEP_TIMEOUT_MS) => {
      const at = await withTimeout(online, `${name}'s ${which}`, ms);
      const connection = lastSince(proxy, from);
      record(which, { flights: connection.flightsAt(at), loginMs: at - connection.openedAt, waitMs: cutAt === undefined ? 0 : connection.openedAt - cutAt, steps: contender.takeSteps?.() ?? "" });
      // Settle (presence, stream management, a token stored) before what follows, as a device that was up a while would be.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    };
    await login("first login", contender.start(), undefined, proxy.connections.length, name.startsWith("mcsim") ? SIM_START_MS + STEP_TIMEOUT_MS : STEP_TIMEOUT_MS);
    for (const which of ["reconnect", "reconnect, FAST"] as const) {
      if (!cases.includes(which)) continue;
      const from = proxy.connections.length;
      const back = contender.nextOnline();
      const cutAt = performance.now();
      proxy.cut();
      await login(which, back, cutAt, from);
    }
    if (cases.includes("restart, FAST")) {
      await contender.stop();
      ({ proxy, contender } = contenderFor(hub, proxies, name, sntp, store, simData));
      await login("restart, FAST", contender.start(), undefined, proxy.connections.length, name.startsWith("mcsim") ? SIM_START_MS + STEP_TIMEOUT_MS : STEP_TIMEOUT_MS);
    }
  } finally {
    await contender.stop();
    rmSync(simData, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Figures = Record<ClientName, Record<Case, Sample[]>>;

function emptyFigures(): Figures {
  return Object.fromEntries([...CLIENTS, ...SIM_CLIENTS].map((name) => [name, Object.fromEntries(CASES.map((which) => [which, []]))])) as unknown as Figures;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-bench-login-"));
  let hub: Hub | undefined;
  let proxies: Proxies | undefined;
  let front: TlsFront | undefined;
  let sntp: SntpServer | undefined;
  const stop = async () => {
    await proxies?.starttls.stop();
    await proxies?.directTls.stop();
    await proxies?.front.stop();
    await front?.stop();
    await sntp?.stop();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    hub = await startHub({ dir, accounts: [{ user: "device", password: "device-secret" }, { user: "peer", password: "peer-secret" }], tlsProtocol: "tlsv1_2" });
    if (hub.directTlsPort === undefined) throw new Error("the hub serves no direct TLS port");
    front = await TlsFront.start({
      certPath: hub.certPath,
      keyPath: join(dirname(hub.certPath), "server.key"),
      caPem: hub.caPem,
      target: { host: hub.host, port: hub.directTlsPort, serverName: hub.domain },
    });
    proxies = {
      starttls: await DelayProxy.start({ host: hub.host, port: hub.c2sPort }, 0),
      directTls: await DelayProxy.start({ host: hub.host, port: hub.directTlsPort }, 0),
      front: await DelayProxy.start({ host: hub.host, port: front.port }, 0),
    };
    const simMissing = simulatorMissing();
    if (simMissing === undefined) sntp = await startSntpServer();
    console.log(`hub: Prosody on ${hub.host}:${hub.c2sPort} (STARTTLS) and :${hub.directTlsPort} (direct TLS), TLS 1.2 only, each through a delay proxy; ${options.runs} runs per case, clients in turn`);
    // Compute time: the same logins with no delay added.
    const compute = emptyFigures();
    const delayed = new Map<number, Figures>();
    // A client that fails a case is reported as failed and left out of the later runs, so the
    // others' figures still come out.
    const failed = new Map<ClientName, string>();
    const take = async (figures: Figures, name: ClientName) => {
      if (failed.has(name)) return;
      try {
        await measure(hub!, proxies!, name, (which, sample) => figures[name][which].push(sample), sntp);
      } catch (error) {
        const [why, ...printed] = (error as Error).message.split("\n");
        failed.set(name, why!);
        console.error(`  ${name}: failed: ${why}`);
        // The end of what it printed (mcsim's trace), which says why.
        if (printed.length > 0) console.error(printed.slice(-40).map((line) => `    ${line}`).join("\n"));
      }
    };
    const setRtt = (rtt: number) => {
      for (const proxy of [proxies!.starttls, proxies!.directTls, proxies!.front]) proxy.rttMs = rtt;
    };
    for (const rtt of [0, ...options.rtts]) {
      setRtt(rtt);
      const figures = rtt === 0 ? compute : emptyFigures();
      if (rtt !== 0) delayed.set(rtt, figures);
      for (let run = 0; run < options.runs; run++) {
        for (const name of CLIENTS) await take(figures, name);
      }
    }
    // The simulator's rows, each build's runs in a row (a change of server rebuilds the firmware).
    if (simMissing === undefined) {
      for (const name of SIM_CLIENTS) {
        for (const rtt of [0, ...options.rtts]) {
          setRtt(rtt);
          const figures = rtt === 0 ? compute : delayed.get(rtt)!;
          for (let run = 0; run < options.runs; run++) await take(figures, name);
        }
      }
    }
    const resumed = front.handshakes.filter((handshake) => handshake.resumed).length;
    report(options, compute, delayed, simMissing === undefined ? [...CLIENTS, ...SIM_CLIENTS] : [...CLIENTS]);
    if (simMissing !== undefined) console.log(`\nmcsim: skipped: ${simMissing}`);
    else console.log(`\nTLS front: ${resumed} of ${front.handshakes.length} handshakes resumed a session id (mcsim tls:// front)`);
    for (const [name, why] of failed) console.log(`${name}: failed, left out after: ${why}`);
  } finally {
    await stop();
  }
}

function report(options: Options, compute: Figures, delayed: Map<number, Figures>, clients: readonly ClientName[]): void {
  const rows: string[][] = [["case", "RTT ms", "client", "flights", "login RTTs", "login ms", "reconnect wait ms", "compute ms"]];
  const ratios: string[][] = [["case", "RTT ms", "device", "flights", "login RTTs", "compute"]];
  const made = new Map<string, string>();
  for (const [rtt, figures] of delayed) {
    for (const which of CASES) {
      const summary = (name: ClientName) => {
        const samples = figures[name][which];
        return {
          flights: median(samples.map((s) => s.flights)),
          rtts: median(samples.map((s) => s.loginMs)) / rtt,
          loginMs: median(samples.map((s) => s.loginMs)),
          waitMs: median(samples.map((s) => s.waitMs)),
          computeMs: median(compute[name][which].map((s) => s.loginMs)),
        };
      };
      const peer = summary("@xmpp/client");
      for (const name of clients.filter((client) => casesOf(client).includes(which))) {
        const figure = name === "@xmpp/client" ? peer : summary(name);
        const wait = which.startsWith("reconnect") ? fixed(figure.waitMs, 0) : "-";
        rows.push([which, String(rtt), name, fixed(figure.flights, 0), fixed(figure.rtts, 2), fixed(figure.loginMs, 0), wait, fixed(figure.computeMs, 0)]);
      }
      for (const name of DEVICES.filter((device) => clients.includes(device) && casesOf(device).includes(which))) {
        const device = summary(name);
        for (const sample of figures[name][which]) if (sample.steps !== "") made.set(`${which}, ${name}, RTT ${rtt}`, sample.steps);
        ratios.push([which, String(rtt), name, fixed(device.flights / peer.flights, 2), fixed(device.rtts / peer.rtts, 2), fixed(device.computeMs / peer.computeMs, 2)]);
      }
    }
  }
  console.log(`\nmedians of ${options.runs} runs; flights: the client's, the TCP handshake's SYN first, until the server's last answer before online; login: from the TCP connect to online (mcsim: when its trace line reaches this process)`);
  printTable(rows);
  console.log("\nratio device / @xmpp/client (below 1: the device needs less)");
  printTable(ratios);
  if (made.size > 0) {
    console.log("\nwhat each device login was made of (the last run's), exchange by exchange:");
    for (const [which, steps] of made) console.log(`  ${which}: ${steps}`);
  }
}

/** "-" where a figure is missing (a client that failed has no samples). */
function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd());
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:login: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
