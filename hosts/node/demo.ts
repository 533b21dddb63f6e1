// `npm run demo`: the hub (with WebSocket), the example devices, the web dashboard and an owner
// console for the microwave in one terminal. Type a command (`help`, anything) and see the
// microwave's reply and its delivery receipt; open the printed URL for the dashboard.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Client } from "@xmpp/client";
import type { Outgoing } from "../../owner/messages.js";
import { OwnerClient } from "../../owner/owner-client.js";
import { loadAccounts } from "./hub/account-store.js";
import { freeLoopbackPort, loopbackPortIsFree } from "./hub/loopback-port.js";
import { DEFAULT_DOMAIN, startHub, type Hub } from "./hub/prosody.js";
import { ensureRequirements } from "./hub/requirements.js";
import { ConsoleLines } from "./console-lines.js";
import { asksForHelp, USAGE_EXIT } from "./help-flag.js";
import { PASSWORD_ENV } from "./password-source.js";
import { hubClient } from "./peer-client.js";
import { projectRoot } from "./project.js";

const DEVICE = "microwave";
const DEVICES = [DEVICE, "relayboard", "heater"] as const;
const OWNER = "owner";
const REPLY_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 20_000;

/** Every line the demo prints: above the owner's prompt while it is open. */
const consoleLines = new ConsoleLines(process.stdout);
const say = (line: string): void => consoleLines.say(line);

const USAGE = `usage: npm run demo [-- dir=.hub port=5222]
  dir   the hub's folder (config, data, certificates, accounts); default .hub in the project
  port  the hub's client port on 127.0.0.1; default 5222, a free one when it is taken; 0 picks a free one`;

/** What went wrong, never empty: @xmpp/client's TimeoutError has no message, only its name. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message !== "" ? error.message : error.name === "TimeoutError" ? "TimeoutError: the hub did not answer in time" : error.name;
}

class UsageError extends Error {
  override readonly name = "UsageError";
}

function parseArguments(argv: string[], root: string): { dir: string; port: number } {
  const given = new Map<string, string>();
  for (const argument of argv) {
    const at = argument.indexOf("=");
    if (at <= 0 || !["dir", "port"].includes(argument.slice(0, at))) {
      throw new UsageError(`unknown argument ${JSON.stringify(argument)}`);
    }
    given.set(argument.slice(0, at), argument.slice(at + 1));
  }
  const port = given.get("port") ?? "5222";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`port=${port} is not a port number (0 to 65535)`);
  return { dir: resolve(root, given.get("dir") ?? ".hub"), port: Number(port) };
}

/** Runs one of our commands as a child, handing each line it prints to `onLine`. */
function startCommand(root: string, command: string, args: string[], password: string, onLine: (line: string) => void): ChildProcess {
  // The password goes in the child's environment, never on its command line (which ps shows to everyone).
  const child = spawn(process.execPath, [join(root, `build/hosts/node/${command}.mjs`), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, [PASSWORD_ENV]: password },
  });
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on("line", onLine);
  return child;
}

/** Starts an example device as a child and prefixes its log lines with its name. */
function startDevice(root: string, hub: Hub, name: string, password: string, stopping: () => boolean): ChildProcess {
  const child = startCommand(root, "device", [
    join(root, `devices/${name}/manifest.json`),
    `jid=${name}@${hub.domain}/appliance`,
    `server=${hub.host}:${hub.c2sPort}`,
    `ca=${hub.caPath}`,
    `owner=${OWNER}@${hub.domain}`,
  ], password, (line) => say(`  ${name} | ${line}`));
  // A device killed without a word may stay "online" on the hub for minutes (Prosody keeps a
  // stream-management session for it to resume): its process ending is known here at once.
  child.once("exit", (code, signal) => {
    if (!stopping()) say(`demo: the ${name} device stopped (${signal ?? `exit code ${code}`}); the hub may show it online until its session times out`);
  });
  return child;
}

/** Starts the web dashboard with the owner's login filled in; resolves with the child and its URL. */
function startDashboard(root: string, hub: Hub, password: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolveStart, reject) => {
    const child = startCommand(root, "dashboard", [`websocket=${hub.websocketUrl}`, `jid=${OWNER}@${hub.domain}`], password, (line) => {
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

/**
 * The owner console: each line goes to the device at once (piped input: one after the other),
 * its reply and receipt are printed when they come, named by the command they answer; a device
 * going offline or a message bounced is printed at once. Resolves at end of input.
 */
function runConsole(owner: OwnerClient, device: string, interactive: boolean): Promise<void> {
  const name = (jid: string) => jid.split("@")[0]!;
  const reported = new WeakSet<Outgoing>();
  owner.messages.listen({
    updated: (message) => {
      if (message.reply !== undefined && !reported.has(message)) {
        reported.add(message);
        say(`${name(message.device)}: ${message.reply}`);
      }
      if (message.state === "done") say(`  (delivered: ${name(message.device)} acknowledged "${message.text}")`);
      else if (message.state === "failed") say(`  (${message.delivered === false ? "not delivered" : "not confirmed"}: "${message.text}": ${message.failed})`);
      // Every message starts out waiting; only one held for a dropped connection is worth a line.
      else if (message.state === "waiting" && owner.xmpp.status !== "online") say(`  (waiting for the hub connection: "${message.text}" goes out when it is back)`);
    },
    // What a device says on its own (a safety trip), not in answer to a command.
    incoming: (message) => message.answers === undefined && say(`${name(message.device)}: ${message.text}`),
  });
  owner.presence.onOffline((fullJid) => say(`demo: ${fullJid} went offline`));
  const dropped = () => say("demo: the connection to the hub dropped; reconnecting (what you type waits for it)");
  owner.xmpp.on("disconnect", dropped);

  const lines = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, prompt: "owner> " });
  if (interactive) consoleLines.attach(lines);
  let queue = Promise.resolve();
  return new Promise((resolveConsole) => {
    lines.on("line", (line) => {
      const text = line.trim();
      if (interactive) {
        if (text !== "") owner.messages.send(owner.target(device), text);
        return lines.prompt();
      }
      if (text === "") return;
      // Piped: one command at a time, so each reply and receipt print under the line that caused them.
      queue = queue.then(async () => {
        say(`owner> ${text}`);
        await owner.messages.send(owner.target(device), text).settled;
      });
    });
    lines.on("close", () => {
      void queue.then(async () => {
        // Ctrl-D: what is still on its way gets a moment; what never left is reported as not sent.
        const unsettled = owner.messages.unsettled;
        if (unsettled.length > 0) await Promise.race([Promise.all(unsettled.map((message) => message.settled)), new Promise((r) => setTimeout(r, 3000).unref())]);
        owner.messages.abandon("the demo is ending");
        // The demo closes the connection itself from here on.
        owner.xmpp.removeListener("disconnect", dropped);
        consoleLines.attach(undefined);
        resolveConsole();
      });
    });
    if (interactive) lines.prompt();
  });
}

async function main(argv: string[]): Promise<number> {
  const root = projectRoot();
  if (asksForHelp(argv)) {
    console.log(USAGE);
    return 0;
  }
  let settings: { dir: string; port: number };
  try {
    settings = parseArguments(argv, root);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`demo: ${error.message}\n${USAGE}`);
    return USAGE_EXIT;
  }
  if (!(await ensureRequirements("demo"))) return 1;
  mkdirSync(settings.dir, { recursive: true });
  const port = settings.port !== 0 && (await loopbackPortIsFree(settings.port)) ? settings.port : await freeLoopbackPort();
  const accounts = loadAccounts(settings.dir, [OWNER, DEVICE, "relayboard", "heater"]);
  say(`demo: starting the hub (Prosody) on 127.0.0.1:${port}, with XMPP over WebSocket for the dashboard`);
  const hub = await startHub({ dir: settings.dir, domain: DEFAULT_DOMAIN, c2sPort: port, accounts, websocket: true });
  const password = (user: string) => accounts.find((a) => a.user === user)!.password;
  const children: ChildProcess[] = [];
  let owner: Client | undefined;
  let stopping = false;
  const cleanup = async () => {
    stopping = true;
    await owner?.stop().catch(() => {});
    await Promise.all(children.map(stopChild));
    await hub.stop();
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(0)));
  process.once("SIGTERM", () => void cleanup().then(() => process.exit(0)));
  try {
    say(`demo: starting the example devices (desktop devices, simulated): ${DEVICES.join(", ")}`);
    for (const name of DEVICES) children.push(startDevice(root, hub, name, password(name), () => stopping));
    const deviceJid = `${DEVICE}@${hub.domain}`;
    // It reconnects by itself when the hub connection drops; what is typed meanwhile waits for it.
    const xmppOwner = hubClient(hub, { user: OWNER, password: password(OWNER) }, { resource: "console", reconnect: true });
    owner = xmppOwner;
    xmppOwner.on("error", (error: Error) => say(`owner: ${reason(error)}`));
    const ownerClient = new OwnerClient(xmppOwner, { timeoutMs: REPLY_TIMEOUT_MS, idPrefix: "demo", holdWhileOffline: true });
    const waiting = new Set<string>(DEVICES.map((name) => `${name}@${hub.domain}`));
    const online = new Promise<void>((resolveOnline, reject) => {
      const timer = setTimeout(() => reject(new Error(`${[...waiting].join(", ")} did not come online within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      const check = () => {
        for (const jid of waiting) if (ownerClient.presence.isOnline(jid)) waiting.delete(jid);
        if (waiting.size === 0) {
          clearTimeout(timer);
          stop();
          resolveOnline();
        }
      };
      const stop = ownerClient.presence.onChange(check);
    });
    await xmppOwner.start();
    await ownerClient.start();
    // Subscribing puts the devices in the owner's roster, where the dashboard lists them; a
    // device approves its owners only.
    for (const jid of waiting) await ownerClient.add(jid);
    await online;
    const dashboard = await startDashboard(root, hub, password(OWNER));
    children.push(dashboard.child);
    const interactive = process.stdin.isTTY === true;
    say(`demo: ${DEVICES.map((name) => `${name}@${hub.domain}`).join(", ")} are online. You are ${OWNER}@${hub.domain}.`);
    say(`demo: web dashboard: ${dashboard.url} (log in as ${OWNER}@${hub.domain}; the form is filled in)`);
    say(`demo: other XMPP clients (README, "Pointing a stock client at the demo hub"): account ${OWNER}@${hub.domain}, password ${password(OWNER)}, ` +
      `server ${hub.host} port ${hub.c2sPort} (STARTTLS), trust the CA ${hub.caPath}`);
    if (interactive) say("demo: type a command (try: help); Ctrl-D or Ctrl-C ends the demo.");
    await runConsole(ownerClient, deviceJid, interactive);
    return 0;
  } finally {
    say("demo: stopping");
    await cleanup();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo: ${reason(error)}`);
    process.exit(1);
  },
);
