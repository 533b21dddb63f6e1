// Runs the terminal controller (npm run ctl) as a child process, for integration tests.

import { execFile } from "node:child_process";
import type { Hub } from "./prosody.js";

const ctlCommand = new URL("../../hosts/node/ctl.mjs", import.meta.url).pathname;

export interface CtlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCtl(args: readonly string[]): Promise<CtlRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ctlCommand, ...args], { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The key=value settings of `account` on `hub`, with `overrides` over them. */
export function ctlSettings(hub: Hub, account: { user: string; password: string }, overrides: Record<string, string> = {}): string[] {
  const values: Record<string, string> = {
    jid: `${account.user}@${hub.domain}`,
    xmpp_password: account.password,
    server: `${hub.host}:${hub.c2sPort}`,
    ca: hub.caPath,
    ...overrides,
  };
  return Object.entries(values).map(([key, value]) => `${key}=${value}`);
}
