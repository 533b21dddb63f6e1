// What the benchmarks read about processes and samples: a process's CPU seconds and resident
// memory from /proc (Linux), its CPU split between its main thread and the others, and
// percentiles of sorted samples.
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) and resident memory of a process, from /proc; zeros once it is gone. */
export function processUsage(pid: number): { cpu: number; rssMiB: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return { cpu, rssMiB: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return { cpu: 0, rssMiB: 0 }; // the process is gone
  }
}

/**
 * CPU milliseconds of a process's main thread (the one whose id is the pid: for Node, the
 * JavaScript and the socket and TLS work done on it) and of all its other threads together (V8's
 * compiler and garbage-collector helpers, libuv's pool), from /proc/<pid>/task/<tid>/schedstat:
 * nanoseconds on a CPU, where /proc/<pid>/stat counts 10 ms ticks. A thread that ends while it is
 * read is left out; zeros once the process is gone.
 */
export function threadCpu(pid: number): { mainMs: number; helpersMs: number } {
  let mainMs = 0;
  let helpersMs = 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { mainMs: 0, helpersMs: 0 }; // the process is gone
  }
  for (const tid of tids) {
    let ms: number;
    try {
      ms = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
    } catch {
      continue; // the thread ended
    }
    if (Number(tid) === pid) mainMs += ms;
    else helpersMs += ms;
  }
  return { mainMs, helpersMs };
}

/**
 * How many read and write system calls a process (all its threads) has made, from
 * /proc/<pid>/io (syscr, syscw: read/readv/pread and write/writev/pwrite, on sockets and files
 * alike); zeros once the process is gone or when /proc does not let us read it.
 */
export function systemCalls(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)$`, "m").exec(io)?.[1] ?? 0);
    return { reads: field("syscr"), writes: field("syscw") };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

/**
 * Reads and writes per command, for a line of figures. None at all over a run of commands means
 * /proc/<pid>/io could not be read (another user's process), not a count: said so, not printed as 0.
 */
export function systemCallsPer(reads: number, writes: number, commands: number): string {
  if (reads === 0 && writes === 0) return "- (/proc/<pid>/io unreadable)";
  return `read ${(reads / commands).toFixed(2)} write ${(writes / commands).toFixed(2)}`;
}

/** The p-th percentile (0-100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
