// `npm run hub [-- key=value ...]`: runs the local hub (Prosody on loopback) with accounts for the
// example devices and their owner, prints what a client needs, and stops Prosody on Ctrl-C.
import { mkdirSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { loadAccounts, ACCOUNTS_FILE } from "./hub/account-store.js";
import { freeLoopbackPort, loopbackPortIsFree } from "./hub/loopback-port.js";
import { DEFAULT_DOMAIN, type Hub, startHub } from "./hub/prosody.js";
import { ensureRequirements } from "./hub/requirements.js";
import { projectRoot } from "./project.js";

const OWNER = "owner";
const DEVICES = ["microwave", "relayboard", "heater"] as const;
const DEFAULT_PORT = 5222;

interface Settings {
  readonly dir: string;
  readonly domain: string;
  readonly port: number;
  readonly websocket: boolean;
  readonly httpPort: number;
}

const KEYS: Record<keyof Settings, string> = {
  dir: "the hub's directory (config, data, certificates, accounts.json); default .hub in the project",
  domain: `the XMPP domain; default ${DEFAULT_DOMAIN}`,
  port: `the client port on 127.0.0.1; default ${DEFAULT_PORT}; 0 picks a free one`,
  websocket: "true to also serve XMPP over WebSocket on 127.0.0.1; default false",
  httpPort: "with websocket=true, its HTTP port; default 0 (a free one)",
};
const ARGUMENT_NAMES: Record<string, keyof Settings> = {
  dir: "dir", domain: "domain", port: "port", websocket: "websocket", http_port: "httpPort",
};

class UsageError extends Error {}

function parseArguments(argv: readonly string[], root: string): Settings {
  const given: Record<string, string> = {};
  for (const argument of argv) {
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
  return {
    dir: resolve(root, given.dir ?? ".hub"),
    domain: given.domain ?? DEFAULT_DOMAIN,
    port: port("port", DEFAULT_PORT),
    websocket: websocket === "true",
    httpPort: port("http_port", 0),
  };
}

function usage(): string {
  const lines = Object.entries(ARGUMENT_NAMES).map(([name, key]) => `  ${name.padEnd(10)} ${KEYS[key]}`);
  return `usage: npm run hub [-- key=value ...]\n${lines.join("\n")}`;
}

function summary(hub: Hub, root: string): string {
  // Paths relative to the project, since `npm run device` runs there.
  const shown = (path: string) => {
    const inside = relative(root, path);
    return inside.startsWith("..") || isAbsolute(inside) ? path : inside;
  };
  const jid = (user: string) => `${user}@${hub.domain}`;
  const server = `${hub.host}:${hub.c2sPort}`;
  const width = Math.max(...hub.accounts.map(({ user }) => jid(user).length));
  const lines = [
    "",
    `Hub running: Prosody (pid ${hub.pid}), STARTTLS required, listening on ${server} only.`,
    `  server     ${server}`,
    `  domain     ${hub.domain} (the name clients check in the server certificate)`,
    `  CA         ${shown(hub.caPath)} (trust this certificate; the server sends its certificate then this CA)`,
    ...(hub.websocketUrl !== undefined ? [`  websocket  ${hub.websocketUrl}`] : []),
    "",
    `Accounts (passwords kept in ${shown(join(hub.dir, ACCOUNTS_FILE))}):`,
    ...hub.accounts.map(({ user, password }) => `  ${jid(user).padEnd(width)}  ${password}`),
    "",
    "Run a device against this hub:",
  ];
  const owner = jid(OWNER);
  for (const { user, password } of hub.accounts) {
    if (user === OWNER) continue;
    lines.push(
      `  npm run device -- devices/${user}/manifest.json jid=${jid(user)} xmpp_password=${password} server=${server} ca=${shown(hub.caPath)} owner=${owner}`,
    );
  }
  const first = hub.accounts.find(({ user }) => user !== OWNER);
  if (first !== undefined) {
    lines.push(
      "",
      "Or run one in the Moddable simulator (needs the Moddable SDK: README, \"The simulator\"):",
      `  npm run sim -- devices/${first.user}/manifest.json jid=${jid(first.user)} xmpp_password=${first.password} server=${server} ca=${shown(hub.caPath)} owner=${owner}`,
    );
  }
  const ownerPassword = hub.accounts.find(({ user }) => user === OWNER)?.password;
  if (ownerPassword !== undefined) {
    lines.push(
      "",
      "Control them from a terminal as the owner (first `add <device>` once per device, then `help <device>`, `send <device> <command>`):",
      `  npm run ctl -- devices jid=${owner} xmpp_password=${ownerPassword} server=${server} ca=${shown(hub.caPath)}`,
    );
  }
  lines.push("", `Log: ${shown(hub.logPath)}. Stop the hub with Ctrl-C.`, "");
  return lines.join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const root = projectRoot();
  let settings: Settings;
  try {
    settings = parseArguments(argv, root);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`hub: ${error.message}\n${usage()}`);
    return 2;
  }
  if (!(await ensureRequirements("hub"))) return 1;
  if (settings.port !== 0 && !(await loopbackPortIsFree(settings.port))) {
    console.error(
      `hub: port ${settings.port} on 127.0.0.1 is in use (another XMPP server, perhaps a system Prosody service, or another hub). ` +
        `Choose another port, e.g.: npm run hub -- port=${await freeLoopbackPort()}`,
    );
    return 1;
  }
  mkdirSync(settings.dir, { recursive: true });
  const hub = await startHub({
    dir: settings.dir,
    domain: settings.domain,
    c2sPort: settings.port,
    accounts: loadAccounts(settings.dir, [OWNER, ...DEVICES]),
    websocket: settings.websocket,
    httpPort: settings.httpPort,
    log: (line) => console.error(`prosody: ${line}`),
  });
  console.log(summary(hub, root));

  const stopped = new Promise<"signal">((resolve) => {
    // Kept installed: a second Ctrl-C while Prosody shuts down must not kill us and orphan it.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => resolve("signal"));
  });
  const outcome = await Promise.race([stopped, hub.exited]);
  if (outcome === "signal") {
    console.log("hub: stopping Prosody");
    await hub.stop();
    return 0;
  }
  console.error(`hub: Prosody exited on its own (${outcome.signal ?? `exit code ${outcome.code}`}); see ${hub.logPath}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
