// `npm run demo`: the hub (with WebSocket), the example devices, the web dashboard and an owner
// console for the microwave in one terminal. Type a command (`help`, anything) and see the
// microwave's reply and its delivery receipt; open the printed URL for the dashboard.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { loadAccounts } from "./hub/account-store.js";
import { freeLoopbackPort, loopbackPortIsFree } from "./hub/loopback-port.js";
import { DEFAULT_DOMAIN, startHub, type Hub } from "./hub/prosody.js";
import { ensureRequirements } from "./hub/requirements.js";
import { hubClient } from "./peer-client.js";
import { projectRoot } from "./project.js";

const DEVICE = "microwave";
const DEVICES = [DEVICE, "relayboard", "heater"] as const;
const OWNER = "owner";
const REPLY_TIMEOUT_MS = 15_000;
const START_TIMEOUT_MS = 20_000;

function say(line: string): void {
  console.log(line);
}

function parseArguments(argv: string[], root: string): { dir: string; port: number } {
  const given = new Map<string, string>();
  for (const argument of argv) {
    const at = argument.indexOf("=");
    if (at <= 0 || !["dir", "port"].includes(argument.slice(0, at))) {
      throw new Error(`unknown argument ${JSON.stringify(argument)}; usage: npm run demo [-- dir=.hub port=5222]`);
    }
    given.set(argument.slice(0, at), argument.slice(at + 1));
  }
  const port = given.get("port") ?? "5222";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new Error(`port=${port} is not a port number`);
  return { dir: resolve(root, given.get("dir") ?? ".hub"), port: Number(port) };
}

/** Runs one of our commands as a child, handing each line it prints to `onLine`. */
function startCommand(root: string, command: string, args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [join(root, `build/hosts/node/${command}.mjs`), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on("line", onLine);
  return child;
}

/** Starts an example device as a child and prefixes its log lines with its name. */
function startDevice(root: string, hub: Hub, name: string, password: string): ChildProcess {
  return startCommand(root, "device", [
    join(root, `devices/${name}/manifest.json`),
    `jid=${name}@${hub.domain}/appliance`,
    `xmpp_password=${password}`,
    `server=${hub.host}:${hub.c2sPort}`,
    `ca=${hub.caPath}`,
    `owner=${OWNER}@${hub.domain}`,
  ], (line) => say(`  ${name} | ${line}`));
}

/** Starts the web dashboard with the owner's login filled in; resolves with the child and its URL. */
function startDashboard(root: string, hub: Hub, password: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolveStart, reject) => {
    const child = startCommand(root, "dashboard", [`websocket=${hub.websocketUrl}`, `jid=${OWNER}@${hub.domain}`, `xmpp_password=${password}`], (line) => {
      const url = /^Dashboard: (\S+)/.exec(line)?.[1];
      if (url !== undefined) resolveStart({ child, url });
      else if (!/^ {2}|^Open it/.test(line)) say(`  dashboard | ${line}`);
    });
    child.once("exit", (code) => reject(new Error(`the dashboard stopped at start (exit code ${code}); see its lines above`)));
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

/** Sends each line to the device and prints its reply and the receipt; resolves at end of input. */
function runConsole(owner: Client, device: string, interactive: boolean): Promise<void> {
  const waiting = new Map<string, { replied: boolean; received: boolean; done: () => void }>();
  let counter = 0;
  owner.on("stanza", (stanza: Element) => {
    if (!stanza.is("message") || !stanza.attrs.from?.startsWith(`${device}/`)) return;
    const body = stanza.getChildText("body");
    if (body !== null) {
      say(`${DEVICE}: ${body}`);
      for (const entry of waiting.values()) entry.replied = true;
    }
    const receipt = stanza.getChild("received", "urn:xmpp:receipts");
    if (receipt) {
      say(`  (delivered: ${DEVICE} acknowledged ${receipt.attrs.id})`);
      const entry = waiting.get(receipt.attrs.id);
      if (entry) {
        entry.received = true;
        entry.done();
      }
    }
  });

  const lines = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, prompt: "owner> " });
  let queue = Promise.resolve();
  return new Promise((resolveConsole) => {
    lines.on("line", (line) => {
      const text = line.trim();
      if (!text) return interactive ? lines.prompt() : undefined;
      // One command at a time, so each reply and receipt print under the line that caused them.
      queue = queue.then(async () => {
        const id = `demo-${++counter}`;
        if (!interactive) say(`owner> ${text}`);
        const acknowledged = new Promise<void>((done) => waiting.set(id, { replied: false, received: false, done }));
        await owner.send(xml("message", { type: "chat", to: `${device}/appliance`, id }, xml("body", {}, text), xml("request", { xmlns: "urn:xmpp:receipts" })));
        const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), REPLY_TIMEOUT_MS).unref());
        if ((await Promise.race([acknowledged, timeout])) === "timeout") say(`  (no receipt for ${id} within ${REPLY_TIMEOUT_MS / 1000} s: is the device online?)`);
        waiting.delete(id);
        if (interactive) lines.prompt();
      });
    });
    lines.on("close", () => void queue.then(() => resolveConsole()));
    if (interactive) lines.prompt();
  });
}

async function main(argv: string[]): Promise<number> {
  const root = projectRoot();
  const settings = parseArguments(argv, root);
  if (!(await ensureRequirements("demo"))) return 1;
  mkdirSync(settings.dir, { recursive: true });
  const port = settings.port !== 0 && (await loopbackPortIsFree(settings.port)) ? settings.port : await freeLoopbackPort();
  const accounts = loadAccounts(settings.dir, [OWNER, DEVICE, "relayboard", "heater"]);
  say(`demo: starting the hub (Prosody) on 127.0.0.1:${port}, with XMPP over WebSocket for the dashboard`);
  const hub = await startHub({ dir: settings.dir, domain: DEFAULT_DOMAIN, c2sPort: port, accounts, websocket: true });
  const password = (user: string) => accounts.find((a) => a.user === user)!.password;
  const children: ChildProcess[] = [];
  let owner: Client | undefined;
  const cleanup = async () => {
    await owner?.stop().catch(() => {});
    await Promise.all(children.map(stopChild));
    await hub.stop();
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(0)));
  process.once("SIGTERM", () => void cleanup().then(() => process.exit(0)));
  try {
    say(`demo: starting the example devices (desktop devices, simulated): ${DEVICES.join(", ")}`);
    for (const name of DEVICES) children.push(startDevice(root, hub, name, password(name)));
    const deviceJid = `${DEVICE}@${hub.domain}`;
    owner = hubClient(hub, { user: OWNER, password: password(OWNER) }, { resource: "console" });
    owner.on("error", (error: Error) => say(`owner: ${error.message}`));
    const waiting = new Set<string>(DEVICES.map((name) => `${name}@${hub.domain}`));
    const online = new Promise<void>((resolveOnline, reject) => {
      const timer = setTimeout(() => reject(new Error(`${[...waiting].join(", ")} did not come online within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      owner!.on("stanza", (stanza: Element) => {
        if (!stanza.is("presence") || stanza.attrs.type !== undefined) return;
        waiting.delete(stanza.attrs.from?.split("/")[0] ?? "");
        if (waiting.size === 0) {
          clearTimeout(timer);
          resolveOnline();
        }
      });
    });
    await owner.start();
    // Subscribing puts the devices in the owner's roster, where the dashboard lists them; a
    // device approves its owners only.
    for (const jid of waiting) await owner.send(xml("presence", { to: jid, type: "subscribe" }));
    await owner.send(xml("presence", {}));
    await online;
    const dashboard = await startDashboard(root, hub, password(OWNER));
    children.push(dashboard.child);
    const interactive = process.stdin.isTTY === true;
    say(`demo: ${DEVICES.map((name) => `${name}@${hub.domain}`).join(", ")} are online. You are ${OWNER}@${hub.domain}.`);
    say(`demo: web dashboard: ${dashboard.url} (log in as ${OWNER}@${hub.domain}; the form is filled in)`);
    if (interactive) say("demo: type a command (try: help); Ctrl-D or Ctrl-C ends the demo.");
    await runConsole(owner, deviceJid, interactive);
    return 0;
  } finally {
    say("demo: stopping");
    await cleanup();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
