// Starts Prosody as our child on loopback, with the hub's own config, data, certificates and accounts,
// and stops it again by its process id.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Certificates, ensureCertificates } from "./certificates.js";
import { claimFolder } from "./folder-in-use.js";
import { LOOPBACK, connectOnce, freeLoopbackPortBesides } from "./loopback-port.js";
import { writeProsodyAccounts, writeProsodyRosters } from "./prosody-accounts.js";
import { DATA_DIR, LOG_FILE, PLUGIN_DIR, prosodyConfig } from "./prosody-config.js";
import { projectRoot } from "../project.js";
import { findProgram, installCommand, isRoot, missingPackages } from "./requirements.js";
import { followLines } from "./server-log.js";

export interface Account {
  readonly user: string;
  readonly password: string;
}

export interface HubOptions {
  /** The hub's own directory: config, data, certificates, log. Created when missing. */
  readonly dir: string;
  /** The XMPP domain. Clients connect to 127.0.0.1 and check this name in the certificate. */
  readonly domain?: string;
  /** 0 or absent: any free loopback port. */
  readonly c2sPort?: number;
  /** Accounts created (or given the password again) before Prosody starts. */
  readonly accounts: readonly Account[];
  /** An owner and devices (among `accounts`) put in each other's rosters, subscribed both ways,
   * as if the owner had added each device: a fleet's owner sees every device's presence. */
  readonly contacts?: { readonly owner: string; readonly devices: readonly string[] };
  /** Every line Prosody logs. */
  readonly log?: (line: string) => void;
  /** Also serve XMPP over WebSocket (plain HTTP on loopback) at `websocketUrl`. */
  readonly websocket?: boolean;
  /** With `websocket`: 0 or absent picks a free loopback port. */
  readonly httpPort?: number;
  /**
   * Offer SASL2 with Bind2 and inline resumption (default: where Debian's prosody-modules is
   * installed); false serves the RFC 6120 flow only, as a stock Prosody 0.12 does.
   */
  readonly sasl2?: boolean;
  /** The direct TLS port (XEP-0368), served beside c2sPort: 0 or absent picks a free loopback port; -1: none. */
  readonly directTlsPort?: number;
  /** Client TLS limited to one LuaSec protocol, e.g. "tlsv1_2" (bench:login measures Moddable's TLS 1.2). */
  readonly tlsProtocol?: string;
  /** How long Prosody may take to listen, in ms. */
  readonly startTimeoutMs?: number;
  /** Offline storage on, as in a stock Prosody (the tests of stale commands); the hub turns it off. */
  readonly offlineStorage?: boolean;
  /** With sasl2: how long a FAST token lasts, in seconds (default 21 days). */
  readonly fastTokenTtlS?: number;
}

export interface Hub {
  /** The server software, as printed: "Prosody" or "ejabberd". */
  readonly software: string;
  readonly domain: string;
  readonly host: typeof LOOPBACK;
  readonly c2sPort: number;
  readonly httpPort: number | undefined;
  /** Whether the hub offers SASL2 with Bind2. */
  readonly sasl2: boolean;
  /** Where the hub serves direct TLS (`server=tls://127.0.0.1:<port>`); undefined where it does not. */
  readonly directTlsPort: number | undefined;
  /** ws://127.0.0.1:<httpPort>/xmpp-websocket when `websocket` was asked for. */
  readonly websocketUrl: string | undefined;
  readonly caPath: string;
  readonly caPem: string;
  /** Server certificate followed by the CA certificate. */
  readonly certPath: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly dir: string;
  /** Prosody's process id. */
  readonly pid: number;
  readonly accounts: readonly Account[];
  /** Settles when Prosody has exited, for whatever reason. */
  readonly exited: Promise<ProsodyExit>;
  /** The nodes of an ejabberd hub (one, or the cluster's); absent for Prosody. */
  readonly nodes?: readonly HubNode[];
  /** The last lines Prosody logged, oldest first. */
  logTail(): string[];
  /** Ends Prosody (SIGTERM, then SIGKILL if it lingers). Safe to call more than once. */
  stop(): Promise<void>;
}

/** One ejabberd node of a hub: its own client port, process and log. */
export interface HubNode {
  /** Its Erlang node name, e.g. hub1@127.0.0.1. */
  readonly name: string;
  readonly c2sPort: number;
  readonly pid: number;
  readonly logPath: string;
  readonly exited: Promise<ProsodyExit>;
  /** Ends this node only (the others carry on). Safe to call more than once. */
  stop(): Promise<void>;
}

export interface ProsodyExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export const DEFAULT_DOMAIN = "hub.test";

/** Where Debian's prosody-modules puts mod_sasl2. */
const SASL2_MODULE = "/usr/lib/prosody/modules/mod_sasl2/mod_sasl2.lua";

/** Whether prosody-modules' SASL2 is installed (scripts/system-packages.sh installs it). */
export function sasl2Installed(): boolean {
  return existsSync(SASL2_MODULE);
}

// .test is reserved (RFC 6761) and never resolves, so a client that forgets to point at
// 127.0.0.1 fails at once instead of reaching some real host.
const DOMAIN_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
// Stricter than XMPP's nodeprep so the names pass unchanged through argv, Lua and file names.
const USER_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const STOP_GRACE_MS = 5000;
/** Runs "$0" "$@" in place of the shell (same pid) with the open-files limit raised to the hard
 * limit: a hub with thousands of devices holds a descriptor for each. */
export const RAISED_FILE_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';
// Ports we picked ourselves can be taken by someone else before Prosody binds them.
const PORT_ATTEMPTS = 5;

/** Refuses a domain or account name that could not pass unchanged into a server's config. */
export function checkHubOptions(domain: string, accounts: readonly Account[]): void {
  if (!DOMAIN_PATTERN.test(domain)) {
    throw new Error(`hub: domain ${JSON.stringify(domain)} is not a lowercase DNS name (letters, digits, '-', '.'), e.g. ${DEFAULT_DOMAIN}`);
  }
  for (const { user, password } of accounts) {
    if (!USER_PATTERN.test(user)) {
      throw new Error(`hub: account name ${JSON.stringify(user)} must be lowercase letters, digits, '.', '_' or '-' (at most 64)`);
    }
    if (password.length === 0) throw new Error(`hub: account ${user} has an empty password`);
  }
}

export async function startHub(options: HubOptions): Promise<Hub> {
  const domain = options.domain ?? DEFAULT_DOMAIN;
  checkHubOptions(domain, options.accounts);
  const missing = missingPackages();
  if (missing.length > 0) {
    throw new Error(`hub: ${missing.join(" and ")} not installed; install with: ${installCommand(missing)}`);
  }
  const programs = { prosody: findProgram("prosody")!, openssl: findProgram("openssl")! };

  const dir = resolve(options.dir);
  mkdirSync(join(dir, DATA_DIR), { recursive: true });
  const claim = claimFolder(dir);
  try {
    const hub = await startOnFolder(dir, domain, programs, options);
    claim.hand(hub.pid);
    void hub.exited.then(() => claim.release());
    return hub;
  } catch (error) {
    claim.release();
    throw error;
  }
}

async function startOnFolder(dir: string, domain: string, programs: { prosody: string; openssl: string }, options: HubOptions): Promise<Hub> {
  const certificates = await ensureCertificates(dir, domain, programs.openssl);
  const configPath = join(dir, "prosody.cfg.lua");
  const fixedC2s = options.c2sPort !== undefined && options.c2sPort !== 0;
  const fixedHttp = options.httpPort !== undefined && options.httpPort !== 0;
  const fixedDirectTls = options.directTlsPort !== undefined && options.directTlsPort > 0;
  const sasl2 = options.sasl2 ?? sasl2Installed();

  for (let attempt = 1; ; attempt++) {
    // Ports picked here never collide with each other, nor with those given.
    const given = [fixedC2s ? options.c2sPort : undefined, fixedHttp ? options.httpPort : undefined, fixedDirectTls ? options.directTlsPort : undefined];
    const c2sPort = fixedC2s ? options.c2sPort! : await freeLoopbackPortBesides(given);
    const httpPort = options.websocket ? (fixedHttp ? options.httpPort! : await freeLoopbackPortBesides([...given, c2sPort])) : undefined;
    const directTlsPort = options.directTlsPort === -1 ? undefined : fixedDirectTls ? options.directTlsPort! : await freeLoopbackPortBesides([...given, c2sPort, httpPort]);
    writeFileSync(configPath, prosodyConfig({
      dir, domain, c2sPort, httpPort, directTlsPort, certPath: certificates.certPath, keyPath: certificates.keyPath, runAsRoot: isRoot(), tlsProtocol: options.tlsProtocol, offlineStorage: options.offlineStorage, fastTokenTtlS: options.fastTokenTtlS,
      sasl2,
      pluginDir: join(projectRoot(), PLUGIN_DIR),
    }));
    if (attempt === 1) {
      await writeProsodyAccounts(join(dir, DATA_DIR), domain, options.accounts);
      if (options.contacts !== undefined) writeProsodyRosters(join(dir, DATA_DIR), domain, options.contacts.owner, options.contacts.devices);
    }
    const launch = await launchProsody(programs.prosody, configPath, c2sPort, httpPort, directTlsPort, options);
    if (launch.ok) {
      return hubFor(launch.prosody, { dir, domain, sasl2, c2sPort, httpPort, directTlsPort, configPath, certificates, accounts: options.accounts });
    }
    const fixedBusy = launch.portInUse === c2sPort ? fixedC2s : launch.portInUse === directTlsPort ? fixedDirectTls : fixedHttp;
    const busyPickedPort = launch.portInUse !== undefined && !fixedBusy;
    if (!busyPickedPort || attempt === PORT_ATTEMPTS) throw new Error(launch.reason);
  }
}

interface RunningProsody {
  readonly child: ChildProcess & { readonly pid: number };
  readonly exited: Promise<ProsodyExit>;
  readonly tail: string[];
}

type Launch =
  | { readonly ok: true; readonly prosody: RunningProsody }
  | { readonly ok: false; readonly reason: string; readonly portInUse: number | undefined };

/** Spawns Prosody and waits until it reports every listener active (then checks the c2s port
 * answers), or until it fails, exits, or runs out of time; on failure it is stopped again. */
async function launchProsody(prosody: string, configPath: string, c2sPort: number, httpPort: number | undefined, directTlsPort: number | undefined, options: HubOptions): Promise<Launch> {
  const child = spawn("/bin/sh", ["-c", RAISED_FILE_LIMIT, prosody, "--config", configPath, "-F"], {
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: Ctrl-C in a terminal reaches us only, and we stop Prosody.
    detached: true,
  });
  const waiting = new Set<string>([
    `c2s:${c2sPort}`,
    ...(httpPort !== undefined ? [`http:${httpPort}`] : []),
    ...(directTlsPort !== undefined ? [`c2s_direct_tls:${directTlsPort}`] : []),
  ]);
  let portInUse: number | undefined;
  let onProgress = () => {};
  const exited = new Promise<ProsodyExit>((resolve) => {
    child.once("exit", (code, signal) => {
      process.off("exit", killOnExit);
      resolve({ code, signal });
      onProgress();
    });
  });
  // A test runner or command that exits without stop() must not leave Prosody behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
    onProgress();
  });

  const tail = followLines(child, (line) => {
    options.log?.(line);
    const active = /Activated service '(c2s|c2s_direct_tls|http)' on \[127\.0\.0\.1\]:(\d+)/.exec(line);
    if (active) waiting.delete(`${active[1]}:${active[2]}`);
    const failed = /Failed to open server port (\d+)/.exec(line);
    if (failed) portInUse = Number(failed[1]);
    onProgress();
  });

  const timeoutMs = options.startTimeoutMs ?? 15000;
  const outcome = await new Promise<"listening" | "failed" | "exited" | "timeout">((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), timeoutMs);
    onProgress = () => {
      let result: "listening" | "failed" | "exited" | undefined;
      if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) result = "exited";
      else if (portInUse !== undefined) result = "failed";
      else if (waiting.size === 0) result = "listening";
      if (result !== undefined) {
        clearTimeout(timer);
        resolve(result);
      }
    };
  });
  onProgress = () => {};
  const running: RunningProsody = { child: child as RunningProsody["child"], exited, tail };

  if (outcome === "listening") {
    try {
      await connectOnce(c2sPort);
      return { ok: true, prosody: running };
    } catch (error) {
      await stopProsody(running);
      return { ok: false, reason: failure(`Prosody reported listening on ${LOOPBACK}:${c2sPort} but does not accept connections (${(error as Error).message})`, configPath, tail), portInUse: undefined };
    }
  }
  if (spawnError !== undefined) {
    return { ok: false, reason: `hub: could not run ${prosody}: ${spawnError.message}`, portInUse: undefined };
  }
  await stopProsody(running);
  const { code, signal } = await exited;
  const reason =
    outcome === "failed" ? `port ${portInUse} on ${LOOPBACK} is already in use; stop whatever listens there or choose another port`
    : outcome === "timeout" ? `Prosody did not listen on ${[...waiting].join(" and ")} within ${timeoutMs} ms`
    : `Prosody exited (${signal ?? `exit code ${code}`}) before it listened`;
  return { ok: false, reason: failure(reason, configPath, tail), portInUse };
}

function failure(reason: string, configPath: string, tail: readonly string[]): string {
  const log = tail.length > 0 ? `\nProsody's last log lines:\n  ${tail.join("\n  ")}` : "";
  return `hub: ${reason} (config ${configPath})${log}`;
}

function stopProsody({ child, exited }: RunningProsody): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const lingering = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  return exited.then(() => clearTimeout(lingering));
}

interface HubFacts {
  readonly dir: string;
  readonly domain: string;
  readonly c2sPort: number;
  readonly httpPort: number | undefined;
  readonly directTlsPort: number | undefined;
  readonly sasl2: boolean;
  readonly configPath: string;
  readonly certificates: Certificates;
  readonly accounts: readonly Account[];
}

function hubFor(prosody: RunningProsody, facts: HubFacts): Hub {
  let stopping: Promise<void> | undefined;
  return Object.freeze({
    software: "Prosody",
    domain: facts.domain,
    host: LOOPBACK,
    c2sPort: facts.c2sPort,
    httpPort: facts.httpPort,
    directTlsPort: facts.directTlsPort,
    sasl2: facts.sasl2,
    websocketUrl: facts.httpPort === undefined ? undefined : `ws://${LOOPBACK}:${facts.httpPort}/xmpp-websocket`,
    caPath: facts.certificates.caPath,
    caPem: facts.certificates.caPem,
    certPath: facts.certificates.certPath,
    configPath: facts.configPath,
    logPath: join(facts.dir, LOG_FILE),
    dir: facts.dir,
    pid: prosody.child.pid,
    accounts: Object.freeze([...facts.accounts]),
    exited: prosody.exited,
    logTail: () => [...prosody.tail],
    stop: () => (stopping ??= stopProsody(prosody)),
  });
}
