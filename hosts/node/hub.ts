// `npm run hub [-- --server prosody|ejabberd] [--nodes N] [--fleet N] [key=value ...]`: runs the
// local hub (Prosody, or ejabberd and its cluster, on loopback) with accounts for the example
// devices, their owner and a fleet, prints what a client needs, and stops the server on Ctrl-C.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { loadAccounts, writePasswordFiles, ACCOUNTS_FILE } from "./hub/account-store.js";
import { freeLoopbackPort, loopbackPortIsFree } from "./hub/loopback-port.js";
import { startEjabberdHub } from "./hub/ejabberd.js";
import { FLEET_MAX, FLEET_PREFIX, fleetUser, fleetUsers } from "./hub/fleet-accounts.js";
import { removeHubFile, writeHubFile } from "./hub/hub-file.js";
import { DEFAULT_DOMAIN, type Hub, sasl2Installed, startHub } from "./hub/prosody.js";
import { EJABBERD_REQUIREMENTS, REQUIREMENTS, ensureRequirements } from "./hub/requirements.js";
import { asksForHelp } from "./help-flag.js";
import { refuseFolderInUse } from "./hub/folder-in-use.js";
import { projectRoot } from "./project.js";
import { serveImages, type ImageServer } from "./hub/image-server.js";

const OWNER = "owner";
const DEVICES = ["microwave", "relayboard", "heater"] as const;
const DEFAULT_PORT = 5222;

interface Settings {
  readonly dir: string;
  readonly domain: string;
  readonly port: number;
  readonly websocket: boolean;
  readonly httpPort: number;
  readonly sasl2: boolean;
  readonly server: "prosody" | "ejabberd";
  readonly nodes: number;
  readonly fleet: number;
  /** A folder of update images to serve over HTTPS, or undefined. */
  readonly images: string | undefined;
}

const KEYS: Record<keyof Settings, string> = {
  dir: "the hub's directory (config, data, certificates, accounts.json); default .hub in the project",
  domain: `the XMPP domain; default ${DEFAULT_DOMAIN}`,
  port: `the client port on 127.0.0.1; default ${DEFAULT_PORT}; 0 picks a free one`,
  websocket: "true to also serve XMPP over WebSocket on 127.0.0.1; default false",
  httpPort: "with websocket=true, its HTTP port; default 0 (a free one)",
  sasl2: "false to serve only the RFC 6120 login (no SASL2 with Bind2, as a stock Prosody 0.12); default true where prosody-modules is installed",
  server: "--server prosody (default) or --server ejabberd",
  nodes: "--nodes N: with ejabberd, N nodes joined into one cluster behind a loopback balancer; default 1",
  fleet: `--fleet N: also N accounts ${fleetUser(1)}... for npm run fleet; default 0`,
  images: "a folder of signed update images to serve over HTTPS on 127.0.0.1 under the hub's name (a free port); default none",
};
const FLAGS: Record<string, "server" | "nodes" | "fleet"> = { "--server": "server", "--nodes": "nodes", "--fleet": "fleet" };
const ARGUMENT_NAMES: Record<string, keyof Settings> = {
  dir: "dir", domain: "domain", port: "port", websocket: "websocket", http_port: "httpPort", sasl2: "sasl2", images: "images",
};

class UsageError extends Error {}

function parseArguments(argv: readonly string[], root: string): Settings {
  const given: Record<string, string> = {};
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = FLAGS[argv[i]!];
    if (flag === undefined) {
      rest.push(argv[i]!);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${argv[i - 1]} needs a value`);
    flags[flag] = value;
  }
  for (const argument of rest) {
    const at = argument.indexOf("=");
    const key = at > 0 ? argument.slice(0, at) : "";
    if (!(key in ARGUMENT_NAMES)) {
      throw new UsageError(`unknown argument ${JSON.stringify(argument)}; expected key=value with key one of: ${Object.keys(ARGUMENT_NAMES).join(", ")}`);
    }
    given[key] = argument.slice(at + 1);
  }
  const port = (key: string, fallback: number): number => {
    const text = given[key];
    if (text === undefined) return fallback;
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`${key}=${text} is not a port number (0 to 65535)`);
    return Number(text);
  };
  const websocket = given.websocket ?? "false";
  if (websocket !== "true" && websocket !== "false") throw new UsageError(`websocket=${websocket} must be true or false`);
  const sasl2 = given.sasl2 ?? "true";
  if (sasl2 !== "true" && sasl2 !== "false") throw new UsageError(`sasl2=${sasl2} must be true or false`);
  const server = flags.server ?? "prosody";
  if (server !== "prosody" && server !== "ejabberd") throw new UsageError(`--server ${server}: expected prosody or ejabberd`);
  const count = (flag: "nodes" | "fleet", fallback: number, min: number, max: number): number => {
    const text = flags[flag];
    if (text === undefined) return fallback;
    if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${flag} ${text} must be a whole number from ${min} to ${max}`);
    return Number(text);
  };
  const nodes = count("nodes", 1, 1, 9);
  if (nodes > 1 && server !== "ejabberd") throw new UsageError(`--nodes ${nodes} needs --server ejabberd (a Prosody hub is one server)`);
  return {
    server,
    nodes,
    fleet: count("fleet", 0, 0, FLEET_MAX),
    dir: resolve(root, given.dir ?? ".hub"),
    domain: given.domain ?? DEFAULT_DOMAIN,
    port: port("port", DEFAULT_PORT),
    websocket: websocket === "true",
    httpPort: port("http_port", 0),
    sasl2: sasl2 === "true",
    images: given.images === undefined || given.images === "" ? undefined : resolve(root, given.images),
  };
}

function usage(): string {
  const lines = Object.entries(ARGUMENT_NAMES).map(([name, key]) => `  ${name.padEnd(10)} ${KEYS[key]}`);
  const flags = Object.entries(FLAGS).map(([flag, key]) => `  ${flag.padEnd(10)} ${KEYS[key]}`);
  return `usage: npm run hub [-- --server prosody|ejabberd] [--nodes N] [--fleet N] [key=value ...]\n${flags.join("\n")}\n${lines.join("\n")}`;
}

function summary(hub: Hub, root: string, passwordFiles: ReadonlyMap<string, string>): string {
  // Paths relative to the project, since `npm run device` runs there.
  const shown = (path: string) => {
    const inside = relative(root, path);
    return inside.startsWith("..") || isAbsolute(inside) ? path : inside;
  };
  const jid = (user: string) => `${user}@${hub.domain}`;
  const server = `${hub.host}:${hub.c2sPort}`;
  const named = hub.accounts.filter(({ user }) => !user.startsWith(FLEET_PREFIX));
  const fleet = hub.accounts.length - named.length;
  const width = Math.max(...named.map(({ user }) => jid(user).length));
  const nodes = hub.nodes ?? [];
  const lines = [
    "",
    `Hub running: ${hub.software} (pid ${hub.pid}), STARTTLS required, listening on ${server}${hub.directTlsPort === undefined ? "" : ` and ${hub.host}:${hub.directTlsPort} (direct TLS)`} only.`,
    `  server     ${server}${nodes.length > 1 ? ` (a balancer over the ${nodes.length} nodes below)` : ""}`,
    ...(hub.directTlsPort !== undefined ? [`  server     tls://${hub.host}:${hub.directTlsPort} (direct TLS, XEP-0368: one round trip fewer)`] : []),
    `  SASL2      ${hub.sasl2 ? "offered, with Bind2, inline stream management and FAST (XEP-0388, XEP-0386, XEP-0198, XEP-0484; prosody-modules)" : "not offered (sasl2=false, ejabberd, or prosody-modules not installed)"}`,
    ...(nodes.length > 1 ? nodes.map((node) => `  node       ${node.name} on ${hub.host}:${node.c2sPort} (pid ${node.pid}, log ${shown(node.logPath)})`) : []),
    `  domain     ${hub.domain} (the name clients check in the server certificate)`,
    `  CA         ${shown(hub.caPath)} (trust this certificate; the server sends its certificate then this CA)`,
    ...(hub.websocketUrl !== undefined ? [`  websocket  ${hub.websocketUrl}`] : []),
    "",
    `Accounts (passwords kept in ${shown(join(hub.dir, ACCOUNTS_FILE))}, and one per file for xmpp_password_file=):`,
    ...named.map(({ user }) => `  ${jid(user).padEnd(width)}  password in ${shown(passwordFiles.get(user)!)}`),
    ...(fleet > 0 ? [`  ${jid(fleetUser(1))} ... ${jid(fleetUser(fleet))}  (${fleet} fleet accounts)`] : []),
    "",
    "Run a device against this hub:",
  ];
  const owner = jid(OWNER);
  for (const { user } of named) {
    if (user === OWNER) continue;
    lines.push(
      `  npm run device -- devices/${user}/manifest.json jid=${jid(user)} xmpp_password_file=${shown(passwordFiles.get(user)!)} server=${server} ca=${shown(hub.caPath)} owner=${owner}`,
    );
  }
  const first = named.find(({ user }) => user !== OWNER);
  if (first !== undefined) {
    lines.push(
      "",
      // The simulator's firmware takes the password into its build config (mcconfig's key=value), so it is given as such.
      "Or run one in the Moddable simulator (needs the Moddable SDK: README, \"The simulator\"):",
      `  npm run sim -- devices/${first.user}/manifest.json jid=${jid(first.user)} xmpp_password=${first.password} server=${server} ca=${shown(hub.caPath)} owner=${owner}`,
    );
  }
  const ownerPassword = passwordFiles.get(OWNER);
  if (ownerPassword !== undefined) {
    lines.push(
      "",
      "Control them from a terminal as the owner (first `add <device>` once per device, then `help <device>`, `send <device> <command>`):",
      `  npm run ctl -- devices jid=${owner} xmpp_password_file=${shown(ownerPassword)} server=${server} ca=${shown(hub.caPath)}`,
    );
  }
  if (fleet > 0) {
    lines.push("", `Run ${fleet} appliances in one process against this hub:`, `  npm run fleet -- devices/microwave/manifest.json --count ${fleet} --hub ${shown(hub.dir)}`);
  }
  lines.push("", `Log: ${shown(hub.logPath)}. Stop the hub with Ctrl-C.`, "");
  return lines.join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const root = projectRoot();
  if (asksForHelp(argv)) {
    console.log(usage());
    return 0;
  }
  let settings: Settings;
  try {
    settings = parseArguments(argv, root);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`hub: ${error.message}\n${usage()}`);
    return 2;
  }
  if (!(await ensureRequirements("hub", settings.server === "ejabberd" ? EJABBERD_REQUIREMENTS : REQUIREMENTS))) return 1;
  // Before the port: a hub already running on this folder also holds the port, and the folder is what to say.
  if (settings.server !== "ejabberd") refuseFolderInUse(settings.dir);
  if (settings.port !== 0 && !(await loopbackPortIsFree(settings.port))) {
    console.error(
      `hub: port ${settings.port} on 127.0.0.1 is in use (another XMPP server, perhaps a system Prosody service, or another hub). ` +
        `Choose another port, e.g.: npm run hub -- port=${await freeLoopbackPort()}`,
    );
    return 1;
  }
  mkdirSync(settings.dir, { recursive: true });
  const name = settings.server === "ejabberd" ? "ejabberd" : "Prosody";
  const hubOptions = {
    dir: settings.dir,
    domain: settings.domain,
    c2sPort: settings.port,
    // XEP-0368's port beside the STARTTLS one (5223 beside 5222); a free one beside a free one.
    directTlsPort: settings.port === 0 ? 0 : settings.port + 1,
    accounts: loadAccounts(settings.dir, [OWNER, ...DEVICES, ...fleetUsers(settings.fleet)]),
    // The owner sees the fleet's presence from the start, without adding a thousand devices one by one.
    ...(settings.fleet > 0 ? { contacts: { owner: OWNER, devices: fleetUsers(settings.fleet) } } : {}),
    websocket: settings.websocket,
    httpPort: settings.httpPort,
    // Where prosody-modules is missing the hub still starts, without SASL2 (the summary says so).
    sasl2: settings.sasl2 && sasl2Installed(),
    log: (line: string) => console.error(`${settings.server}: ${line}`),
  };
  if (settings.fleet > 0) console.log(`hub: setting ${hubOptions.accounts.length} accounts in ${name}`);
  const hub = settings.server === "ejabberd" ? await startEjabberdHub({ ...hubOptions, nodes: settings.nodes }) : await startHub(hubOptions);
  writeHubFile(hub.dir, {
    software: hub.software,
    domain: hub.domain,
    server: `${hub.host}:${hub.c2sPort}`,
    nodes: hub.nodes !== undefined && hub.nodes.length > 1 ? hub.nodes.map((node) => `${hub.host}:${node.c2sPort}`) : [`${hub.host}:${hub.c2sPort}`],
    ca: hub.caPath,
    owner: `${OWNER}@${hub.domain}`,
    pid: process.pid,
  });
  const passwordFiles = writePasswordFiles(hub.dir, hub.accounts.filter(({ user }) => !user.startsWith(FLEET_PREFIX)));
  console.log(summary(hub, root, passwordFiles));
  let images: ImageServer | undefined;
  if (settings.images !== undefined) {
    const certs = dirname(hub.caPath);
    images = await serveImages({ dir: settings.images, domain: hub.domain, cert: readFileSync(join(certs, "server.crt")), key: readFileSync(join(certs, "server.key")) });
    console.log(`  images     ${settings.images} at ${images.url("<file>")} (devices reach ${hub.domain} at ${hub.host})`);
  }

  const stopped = new Promise<"signal">((resolve) => {
    // Kept installed: a second Ctrl-C while Prosody shuts down must not kill us and orphan it.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => resolve("signal"));
  });
  const outcome = await Promise.race([stopped, hub.exited]);
  removeHubFile(hub.dir);
  await images?.close();
  if (outcome === "signal") {
    console.log(`hub: stopping ${name}`);
    await hub.stop();
    return 0;
  }
  await hub.stop();
  console.error(`hub: ${name} exited on its own (${outcome.signal ?? `exit code ${outcome.code}`}); see ${hub.logPath}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
