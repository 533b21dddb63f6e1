// What the benchmarks read about processes and samples: a process's CPU seconds and resident
// memory from /proc (Linux), and percentiles of sorted samples.
import { readFileSync } from "node:fs";

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

/** The p-th percentile (0-100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
