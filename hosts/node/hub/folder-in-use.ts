// A hub folder serves one Prosody at a time: a second one on the same data would fail on its
// files and the first one's config would be rewritten under it.
//
// Prosody's own pid file is not enough to tell: with -F it is written when mod_posix loads, and
// Prosody loads its global modules in no fixed order, so it can listen (and a test go on) before
// the file exists. The hub therefore claims the folder itself, at once and atomically, in its own
// lock file (hub.pid): first with the pid of the node process starting it, then with Prosody's.
// A pid is recorded with its process's start time, so a stale lock whose pid has been reused by
// another process is not taken for a running hub.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { PID_FILE } from "./prosody-config.js";

export const HUB_LOCK = "hub.pid";

/** Who holds a folder: a running Prosody, or a hub process still starting one. */
interface Holder {
  readonly pid: number;
  readonly what: "a running Prosody" | "a hub starting Prosody";
}

/** The start time of a live process (clock ticks since boot), or undefined when it is gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the command name (field 2) is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function lockHolder(dir: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, HUB_LOCK), "utf8");
  } catch {
    return undefined;
  }
  const [pidText, started] = text.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || started === undefined || startTime(pid) !== started) return undefined;
  const program = commandLine(pid).split("\0").slice(0, 2);
  return { pid, what: program.some((arg) => /(^|\/)(prosody|lua[\d.]*)$/.test(arg)) ? "a running Prosody" : "a hub starting Prosody" };
}

function pidFileHolder(dir: string): Holder | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, PID_FILE), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  // A stale pid file may name a pid now used by something else: only a prosody on this folder counts.
  const command = commandLine(pid);
  return /prosody|lua/.test(command) && command.includes(dir) ? { pid, what: "a running Prosody" } : undefined;
}

/** The pid of a Prosody (or of a hub starting one) on `dir`, or undefined. */
export function prosodyRunningOn(dir: string): number | undefined {
  return (lockHolder(dir) ?? pidFileHolder(dir))?.pid;
}

function inUse(dir: string, { pid, what }: Holder): Error {
  return new Error(
    `hub: ${dir} is in use by ${what} (pid ${pid}), started by another npm run hub or npm run demo. ` +
      `Stop that one first (Ctrl-C in its terminal, or: kill ${pid}), or give this one its own folder: dir=<another folder>`,
  );
}

/** Throws, saying how to stop the first one, when `dir` is in use. */
export function refuseFolderInUse(dir: string): void {
  const holder = lockHolder(dir) ?? pidFileHolder(dir);
  if (holder !== undefined) throw inUse(dir, holder);
}

export interface FolderClaim {
  /** The lock now names this process (Prosody, once spawned) instead of the hub process. */
  hand(pid: number): void;
  /** Gives the folder up (the lock file goes, if it is still ours). Safe to call twice. */
  release(): void;
}

/** Claims `dir` for one hub, or throws as refuseFolderInUse does. The claim is atomic: of two
 * hubs starting on one folder at the same moment, one gets it and the other is refused. */
export function claimFolder(dir: string): FolderClaim {
  const path = join(dir, HUB_LOCK);
  refuseFolderInUse(dir);
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // Refused above if it named a live holder: this one is stale. Take it over, atomically again.
    const holder = lockHolder(dir);
    if (holder !== undefined) throw inUse(dir, holder);
    unlinkSync(path);
    fd = openSync(path, "wx");
  }
  let content = "";
  const write = (pid: number) => {
    content = `${pid} ${startTime(pid) ?? ""}\n`;
    writeSync(fd, content, 0);
  };
  write(process.pid);
  closeSync(fd);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    try {
      if (readFileSync(path, "utf8") === content) unlinkSync(path);
    } catch {
      // Already gone: nothing to give up.
    }
  };
  process.on("exit", release);
  return {
    hand(pid) {
      if (released) return;
      const next = `${pid} ${startTime(pid) ?? ""}\n`;
      // Written whole in one call: a reader sees the old pid or the new one.
      const handle = openSync(path, "r+");
      try {
        writeSync(handle, next.padEnd(content.length), 0);
      } finally {
        closeSync(handle);
      }
      content = next.padEnd(content.length);
    },
    release,
  };
}
