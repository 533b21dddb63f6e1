// A hub folder serves one Prosody at a time: a second one on the same data would fail on its
// files and the first one's config would be rewritten under it. Prosody's pid file tells.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PID_FILE } from "./prosody-config.js";

/** The pid of a Prosody still running on `dir`, or undefined. */
export function prosodyRunningOn(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, PID_FILE), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // A stale pid file may name a pid now used by something else: only a prosody counts.
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /prosody|lua/.test(command) && command.includes(dir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Throws, saying how to stop the first one, when `dir` is in use. */
export function refuseFolderInUse(dir: string): void {
  const pid = prosodyRunningOn(dir);
  if (pid === undefined) return;
  throw new Error(
    `hub: ${dir} is in use by a running Prosody (pid ${pid}), started by another npm run hub or npm run demo. ` +
      `Stop that one first (Ctrl-C in its terminal, or: kill ${pid}), or give this one its own folder: dir=<another folder>`,
  );
}
