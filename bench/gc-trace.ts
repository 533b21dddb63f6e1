// What V8's `--trace-gc-nvp` says about a process's garbage collections: one line per
// collection, `name=value` pairs, among them `gc=s` for a young-generation one (a scavenge) and
// `gc=mc` for a full one, its `pause` in ms and, for a scavenge, how many bytes outlived it
// (`new_space_survived`: copied within the young generation) and were `promoted` to the old one.
// What outlives a scavenge is what it copies, so its pause grows with it; bench:commands prints
// these for the device and the echo bot over the measured rounds.
import { percentile } from "./process-meter.js";

export interface GcSummary {
  /** Young-generation collections (scavenges), their pauses in ms in the order they came. */
  readonly youngPausesMs: number[];
  /** Bytes that outlived them, and of those promoted to the old generation, all scavenges together. */
  readonly survivedBytes: number;
  readonly promotedBytes: number;
  /** Full collections (mark-compact), their pauses in ms. */
  readonly fullPausesMs: number[];
}

const PAIR = /(?:^|\s)([a-z_.]+)=([^\s]+)/g;

/** Reads the `--trace-gc-nvp` lines of `text` (a process's output; other lines are skipped). */
export function readGcTrace(text: string): GcSummary {
  const summary = { youngPausesMs: [] as number[], survivedBytes: 0, promotedBytes: 0, fullPausesMs: [] as number[] };
  for (const line of text.split("\n")) {
    if (!line.includes(" gc=")) continue;
    const fields = new Map<string, string>();
    for (const [, name, value] of line.matchAll(PAIR)) fields.set(name!, value!);
    const pause = Number(fields.get("pause"));
    if (!Number.isFinite(pause)) continue;
    const kind = fields.get("gc");
    if (kind === "s") {
      summary.youngPausesMs.push(pause);
      summary.survivedBytes += Number(fields.get("new_space_survived") ?? 0);
      summary.promotedBytes += Number(fields.get("promoted") ?? 0);
    } else if (kind === "mc") {
      summary.fullPausesMs.push(pause);
    }
  }
  return summary;
}

/** One line: `97 young collections, pause p50 0.8 / max 3.1 ms, 31 KB outlived each (10 KB promoted); 1 full, 5.9 ms`. */
export function gcText(summary: GcSummary): string {
  const young = summary.youngPausesMs;
  const n = young.length;
  const sorted = [...young].sort((a, b) => a - b);
  const total = young.reduce((sum, pause) => sum + pause, 0) + summary.fullPausesMs.reduce((sum, pause) => sum + pause, 0);
  const kb = (bytes: number) => `${Math.round(bytes / n / 1024)} KB`;
  const youngText = n === 0 ? "no young collections" : `${n} young collection${n === 1 ? "" : "s"}, pause p50 ${percentile(sorted, 50).toFixed(1)} / max ${sorted[n - 1]!.toFixed(1)} ms, ${kb(summary.survivedBytes)} outlived each (${kb(summary.promotedBytes)} promoted)`;
  const full = summary.fullPausesMs;
  const fullText = full.length === 0 ? "no full one" : `${full.length} full, ${full.map((pause) => pause.toFixed(1)).join(", ")} ms`;
  return `${youngText}; ${fullText}; ${total.toFixed(0)} ms paused in all`;
}
