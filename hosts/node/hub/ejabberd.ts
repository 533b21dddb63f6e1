// The hub on ejabberd (Debian's 23.01): its own epmd on a loopback port, one or more nodes run
// in the foreground as our children with their own config, Mnesia spool and log, accounts set
// over Erlang distribution in one call, and further nodes joined into one cluster.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBalancer, type Balancer } from "./balancer.js";
import { type Certificates, ensureCertificates } from "./certificates.js";
import { ejabberdConfig } from "./ejabberd-config.js";
import { followLines } from "./server-log.js";
import { LOOPBACK, connectOnce, freeLoopbackPort, freeLoopbackPortBesides } from "./loopback-port.js";
import { type Account, DEFAULT_DOMAIN, type Hub, type HubNode, type HubOptions, type ProsodyExit, RAISED_FILE_LIMIT, checkHubOptions } from "./prosody.js";
import { EJABBERD_REQUIREMENTS, findProgram, installCommand, missingPackages } from "./requirements.js";

export interface EjabberdHubOptions extends HubOptions {
  /** How many nodes, joined into one cluster (default 1). With more than one, `c2sPort` is a
   * loopback balancer that spreads connections over the nodes that are up. */
  readonly nodes?: number;
}

const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 5;
const COOKIE_FILE = ".erlang.cookie";

interface Runtime {
  readonly erl: string;
  readonly epmd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
}

export async function startEjabberdHub(options: EjabberdHubOptions): Promise<Hub> {
  const domain = options.domain ?? DEFAULT_DOMAIN;
  checkHubOptions(domain, options.accounts);
  const count = options.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`hub: nodes must be a whole number from 1 to 9, not ${count}`);
  const missing = missingPackages(EJABBERD_REQUIREMENTS);
  if (missing.length > 0) throw new Error(`hub: ${missing.join(" and ")} not installed; install with: ${installCommand(missing)}`);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const certificates = await ensureCertificates(dir, domain, findProgram("openssl")!);
  const runtime = await prepareRuntime(dir);

  const epmd = await startEpmd(runtime);
  const nodes: RunningNode[] = [];
  let balancer: Balancer | undefined;
  try {
    for (let index = 1; index <= count; index++) {
      const fixed = count === 1 && options.c2sPort !== undefined && options.c2sPort !== 0 ? options.c2sPort : undefined;
      const node = await launchNode(runtime, epmd.port, index, domain, certificates, fixed, index === 1 ? options : { ...options, websocket: false });
      nodes.push(node);
      if (index === 1) await setAccounts(runtime, epmd.port, node.name, domain, options.accounts, options.contacts);
      else await joinCluster(runtime, epmd.port, node, nodes[0]!.name);
    }
    if (count > 1) balancer = await startBalancer(options.c2sPort ?? 0, nodes.map((node) => node.c2sPort));
  } catch (error) {
    await Promise.all(nodes.map(stopNode));
    await stopProcess(epmd.child, epmd.exited);
    throw error;
  }
  return hubFor({ dir, domain, certificates, accounts: options.accounts, nodes, epmd, balancer, runtime });
}

/** Where Debian keeps ejabberd's Erlang applications, read from its ejabberdctl as it sets them. */
function erlangLibraries(): string {
  const ctl = findProgram("ejabberdctl")!;
  const match = /^ERL_LIBS='([^']+)'/m.exec(readFileSync(ctl, "utf8"));
  if (match === null) throw new Error(`hub: cannot find ERL_LIBS in ${ctl}; is this Debian's ejabberd package?`);
  return match[1]!;
}

async function prepareRuntime(dir: string): Promise<Runtime> {
  // The cookie lets our nodes and our control calls talk, and nobody else: HOME points Erlang at it.
  const cookie = join(dir, COOKIE_FILE);
  if (!existsSync(cookie)) writeFileSync(cookie, randomBytes(18).toString("base64url"), { mode: 0o400 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    ERL_LIBS: erlangLibraries(),
    ERL_EPMD_ADDRESS: LOOPBACK,
    ERL_MAX_PORTS: "65536",
    ERL_CRASH_DUMP: join(dir, "erl_crash.dump"),
    ERL_CRASH_DUMP_BYTES: "0",
  };
  return { erl: findProgram("erl")!, epmd: findProgram("epmd")!, env, dir };
}

interface Epmd {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<ProsodyExit>;
}

/** Our own name server for Erlang nodes (not the system's shared one on port 4369), on loopback. */
async function startEpmd(runtime: Runtime): Promise<Epmd> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const child = spawn(runtime.epmd, ["-port", String(port), "-address", LOOPBACK], { stdio: "ignore", detached: true, env: runtime.env });
    const exited = watchExit(child);
    for (let wait = 0; wait < 50 && child.exitCode === null; wait++) {
      try {
        await connectOnce(port, 500);
        return { child, port, exited };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await stopProcess(child, exited);
    if (attempt === PORT_ATTEMPTS) throw new Error(`hub: epmd did not listen on ${LOOPBACK}:${port}`);
  }
}

function watchExit(child: ChildProcess): Promise<ProsodyExit> {
  // A command or test runner that exits without stop() must not leave a server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  return new Promise((resolve) => {
    child.once("error", () => {
      process.off("exit", killOnExit);
      resolve({ code: null, signal: null });
    });
    child.once("exit", (code, signal) => {
      process.off("exit", killOnExit);
      resolve({ code, signal });
    });
  });
}

function stopProcess(child: ChildProcess, exited: Promise<ProsodyExit>): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const lingering = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  return exited.then(() => clearTimeout(lingering));
}

interface RunningNode extends HubNode {
  readonly child: ChildProcess & { readonly pid: number };
  readonly tail: string[];
  readonly configPath: string;
  readonly httpPort: number | undefined;
}

async function launchNode(
  runtime: Runtime, epmdPort: number, index: number, domain: string, certificates: Certificates,
  fixedPort: number | undefined, options: HubOptions,
): Promise<RunningNode> {
  const name = `hub${index}@${LOOPBACK}`;
  const spool = join(runtime.dir, `ejabberd-${index}`);
  const configPath = join(runtime.dir, `ejabberd-${index}.yml`);
  const logPath = join(runtime.dir, `ejabberd-${index}.log`);
  // A joining node takes the first node's schema: its own old spool would conflict with it.
  if (index > 1) rmSync(spool, { recursive: true, force: true });
  mkdirSync(spool, { recursive: true });
  const fixedHttp = options.httpPort !== undefined && options.httpPort !== 0;
  for (let attempt = 1; ; attempt++) {
    const c2sPort = fixedPort ?? (await freeLoopbackPortBesides([fixedHttp ? options.httpPort : undefined]));
    const httpPort = options.websocket ? (fixedHttp ? options.httpPort! : await freeLoopbackPortBesides([c2sPort])) : undefined;
    writeFileSync(configPath, ejabberdConfig({ domain, c2sPort, httpPort, certPath: certificates.certPath, keyPath: certificates.keyPath }));
    const env = { ...runtime.env, ERL_EPMD_PORT: String(epmdPort), EJABBERD_CONFIG_PATH: configPath, EJABBERD_LOG_PATH: logPath };
    const child = spawn("/bin/sh", [
      "-c", RAISED_FILE_LIMIT, runtime.erl,
      "-name", name, "-start_epmd", "false", "-noinput", "+K", "true", "+P", "1000000",
      // Erlang distribution on loopback only, like everything else of the hub.
      "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
      "-mnesia", "dir", JSON.stringify(spool), "-s", "ejabberd",
    ], { stdio: ["ignore", "pipe", "pipe"], detached: true, env, cwd: runtime.dir });
    const exited = watchExit(child);
    const waiting = new Set([`ejabberd_c2s:${c2sPort}`, ...(httpPort !== undefined ? [`ejabberd_http:${httpPort}`] : [])]);
    let busy = false;
    let onProgress = () => {};
    const tail = followLines(child, (line) => {
      options.log?.(line);
      const accepting = /Start accepting TCP connections at 127\.0\.0\.1:(\d+) for (ejabberd_\w+)/.exec(line);
      if (accepting) waiting.delete(`${accepting[2]}:${accepting[1]}`);
      if (/eaddrinuse/.test(line)) busy = true;
      onProgress();
    });
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const outcome = await new Promise<"listening" | "busy" | "exited" | "timeout">((resolve) => {
      const timer = setTimeout(() => resolve("timeout"), timeoutMs);
      onProgress = () => {
        const result = child.exitCode !== null || child.signalCode !== null ? "exited" : busy ? "busy" : waiting.size === 0 ? "listening" : undefined;
        if (result !== undefined) {
          clearTimeout(timer);
          resolve(result);
        }
      };
      void exited.then(() => onProgress());
    });
    onProgress = () => {};
    const node: RunningNode = {
      name, c2sPort, httpPort, configPath, logPath, tail, exited,
      child: child as RunningNode["child"],
      pid: child.pid!,
      stop: () => stopNode(node),
    };
    if (outcome === "listening") return node;
    await stopNode(node);
    if (outcome === "busy" && fixedPort === undefined && !fixedHttp && attempt < PORT_ATTEMPTS) continue;
    const reason =
      outcome === "busy" ? `a port of ${c2sPort}${httpPort !== undefined ? ` and ${httpPort}` : ""} on ${LOOPBACK} is already in use; stop whatever listens there or choose another port`
      : outcome === "timeout" ? `ejabberd node ${name} did not listen on ${[...waiting].join(" and ")} within ${timeoutMs} ms`
      : `ejabberd node ${name} exited before it listened`;
    throw new Error(`hub: ${reason} (config ${configPath})${tail.length > 0 ? `\nejabberd's last log lines:\n  ${tail.join("\n  ")}` : ""}`);
  }
}

const stopping = new WeakMap<RunningNode, Promise<void>>();
function stopNode(node: RunningNode): Promise<void> {
  let stop = stopping.get(node);
  if (stop === undefined) stopping.set(node, (stop = stopProcess(node.child, node.exited)));
  return stop;
}

/** Runs Erlang code on a hidden node of our own that talks to the hub's nodes; resolves with its output. */
function control(runtime: Runtime, epmdPort: number, args: readonly string[]): Promise<string> {
  const name = `ctl-${randomBytes(4).toString("hex")}@${LOOPBACK}`;
  return new Promise((resolve, reject) => {
    execFile(runtime.erl, ["-name", name, "-hidden", "-noinput", "-start_epmd", "false", ...args],
      { env: { ...runtime.env, ERL_EPMD_PORT: String(epmdPort) }, encoding: "utf8", timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(new Error(`${(stdout + stderr).trim() || error.message}`));
      });
  });
}

/** An Erlang binary literal holding `text` as UTF-8. */
function erlangBinary(text: string): string {
  return `<<"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"/utf8>>`;
}

/** Creates each account, or sets its password again, in one call however many there are
 * (`ejabberdctl register` would start an Erlang node per account). */
async function setAccounts(runtime: Runtime, epmdPort: number, node: string, domain: string, accounts: readonly Account[], contacts: HubOptions["contacts"]): Promise<void> {
  if (accounts.length === 0) return;
  const file = join(runtime.dir, "accounts.eterm");
  const pairs = contacts === undefined ? [] : contacts.devices.flatMap((device) => [[contacts.owner, device], [device, contacts.owner]] as const);
  writeFileSync(file, [
    ...accounts.map(({ user, password }) => `{account, ${erlangBinary(user)}, ${erlangBinary(password)}}.\n`),
    // Each pair's roster item, subscribed both ways (mod_admin_extra's add_rosteritem, as ejabberdctl add_rosteritem does it).
    ...pairs.map(([user, contact]) => `{contact, ${erlangBinary(user)}, ${erlangBinary(contact)}}.\n`),
  ].join(""), { mode: 0o600 });
  const code = `
    {ok, Terms} = file:consult(${JSON.stringify(file)}),
    Node = '${node}', Host = ${erlangBinary(domain)},
    Set = fun({account, User, Password}) ->
      case rpc:call(Node, ejabberd_auth, try_register, [User, Host, Password]) of
        ok -> ok;
        {error, exists} -> rpc:call(Node, ejabberd_auth, set_password, [User, Host, Password]);
        Other -> Other
      end;
    ({contact, User, Contact}) ->
      rpc:call(Node, mod_admin_extra, add_rosteritem, [User, Host, Contact, Host, Contact, <<>>, <<"both">>])
    end,
    Failed = [{element(2, Term), Result} || Term <- Terms, (Result = Set(Term)) =/= ok],
    case Failed of
      [] -> halt(0);
      _ -> io:format("~p~n", [Failed]), halt(1)
    end.`;
  try {
    await control(runtime, epmdPort, ["-eval", code]);
  } catch (error) {
    throw new Error(`hub: ejabberd could not set the accounts on ${node}: ${(error as Error).message}`);
  } finally {
    rmSync(file, { force: true });
  }
}

/** `ejabberdctl join_cluster`, as ejabberdctl runs it: the new node takes the first one's schema
 * and tables (accounts, rosters) and restarts; then its client port answers again. */
async function joinCluster(runtime: Runtime, epmdPort: number, node: RunningNode, first: string): Promise<void> {
  try {
    await control(runtime, epmdPort, ["-s", "ejabberd_ctl", "-extra", node.name, "join_cluster", first]);
  } catch (error) {
    throw new Error(`hub: ejabberd node ${node.name} could not join ${first}: ${(error as Error).message}`);
  }
  // join_cluster restarts ejabberd on the node: wait until it says it is started and its client port answers.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await control(runtime, epmdPort, ["-s", "ejabberd_ctl", "-extra", node.name, "status"]);
      await connectOnce(node.c2sPort, 1000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`hub: ejabberd node ${node.name} is not started on ${node.c2sPort} after joining ${first}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

interface EjabberdFacts {
  readonly dir: string;
  readonly domain: string;
  readonly certificates: Certificates;
  readonly accounts: readonly Account[];
  readonly nodes: readonly RunningNode[];
  readonly epmd: Epmd;
  readonly balancer: Balancer | undefined;
  readonly runtime: Runtime;
}

function hubFor(facts: EjabberdFacts): Hub {
  const [first] = facts.nodes as [RunningNode];
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    facts.balancer?.close();
    await Promise.all(facts.nodes.map(stopNode));
    await stopProcess(facts.epmd.child, facts.epmd.exited);
  };
  // The hub has exited when its first node has: that is where the accounts were made.
  return Object.freeze({
    software: "ejabberd",
    domain: facts.domain,
    host: LOOPBACK,
    c2sPort: facts.balancer?.port ?? first.c2sPort,
    httpPort: first.httpPort,
    directTlsPort: undefined, // not configured for ejabberd yet
    sasl2: false,
    websocketUrl: first.httpPort === undefined ? undefined : `ws://${LOOPBACK}:${first.httpPort}/xmpp-websocket`,
    caPath: facts.certificates.caPath,
    caPem: facts.certificates.caPem,
    certPath: facts.certificates.certPath,
    configPath: first.configPath,
    logPath: first.logPath,
    dir: facts.dir,
    pid: first.pid,
    accounts: Object.freeze([...facts.accounts]),
    nodes: Object.freeze([...facts.nodes]),
    exited: first.exited,
    logTail: () => [...first.tail],
    stop: () => (stopped ??= stop()),
  });
}
