// Runs the desktop device command as a child process and reads its log, for integration tests.

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { projectRoot } from "../../hosts/node/project.js";
import type { Hub } from "./prosody.js";

// From the project's root, not this file: the bundle that holds this module may sit at any depth under build/.
const deviceCommand = join(projectRoot(), "build", "hosts", "node", "device.mjs");
export const microwaveManifest = join(projectRoot(), "devices", "microwave", "manifest.json");

export interface DeviceRun {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  /** Resolves with the first match of `pattern` in the output from `from` on (default: all of it); fails when the process ends without it. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  exit: Promise<number | null>;
  stop(): Promise<void>;
}

export function runDevice(manifest: string, args: string[]): DeviceRun {
  const child = spawn(process.execPath, [deviceCommand, manifest, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return watchProcess(child, "the device", async () => {
    child.kill("SIGTERM");
  });
}

/** Collects what `child` prints; `stop` ends it (called only while it runs), and `stop()` waits for its exit. */
export function watchProcess(child: ChildProcess, name: string, stop: () => Promise<void>): DeviceRun {
  let text = "";
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exit = once(child, "exit").then(([code]) => code as number | null);
  // After its output is all read: a wait for a line it never printed fails then, not at its timeout.
  const closed = once(child, "close").then(([code, signal]) => (signal ? `signal ${signal as string}` : `exit code ${code as number}`));
  return {
    child,
    output: () => text,
    exit,
    waitFor(pattern, timeoutMs = 15_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text.slice(from));
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match[0]);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; it printed:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        void closed.then((how) => {
          check();
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`${name} ended (${how}) without printing ${pattern}; it printed:\n${text}`));
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await stop();
        await exit;
      }
    },
  };
}

/** The key=value arguments for `account` on `hub`, with `overrides` over them. */
export function deviceSettings(hub: Hub, account: { user: string; password: string }, owner: string, overrides: Record<string, string> = {}): string[] {
  const values: Record<string, string> = {
    jid: `${account.user}@${hub.domain}/appliance`,
    xmpp_password: account.password,
    server: `${hub.host}:${hub.c2sPort}`,
    ca: hub.caPath,
    owner: `${owner}@${hub.domain}`,
    ...overrides,
  };
  return Object.entries(values).map(([key, value]) => `${key}=${value}`);
}
