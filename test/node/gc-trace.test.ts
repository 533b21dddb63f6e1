// bench:commands' reading of V8's --trace-gc-nvp lines: young and full collections told apart,
// their pauses and what outlived them summed, the process's own log lines skipped.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { gcText, readGcTrace } from "../../bench/gc-trace.js";

const SCAVENGE = (pause: number, survived: number, promoted: number) =>
  `[4242:0x28ee8480]    20051 ms: pause=${pause} mutator=58.8 gc=s reduce_memory=0 scavenge=1.07 scavenge.parallel=0.91 total_size_before=7771584 allocated=7771584 promoted=${promoted} new_space_survived=${survived} promotion_ratio=57.1%`;

describe("bench: the garbage-collection trace", () => {
  it("sums the young collections' pauses and what outlived them, and lists the full ones", () => {
    const text = [
      "21:20:34.269 pin           25 (oven) -> 0",
      SCAVENGE(1.5, 102_400, 51_200),
      "21:20:34.270 message       from owner@hub.test/bench: status",
      SCAVENGE(0.5, 0, 0),
      "[4242:0x28ee8480]    21433 ms: pause=6.4 mutator=8.5 gc=mc mark=0.5 incremental=3.5",
      SCAVENGE(3.0, 2048, 1024),
    ].join("\n");
    const summary = readGcTrace(text);
    assert.deepEqual(summary.youngPausesMs, [1.5, 0.5, 3.0]);
    assert.equal(summary.survivedBytes, 104_448);
    assert.equal(summary.promotedBytes, 52_224);
    assert.deepEqual(summary.fullPausesMs, [6.4]);
    assert.equal(gcText(summary), "3 young collections, pause p50 1.5 / max 3.0 ms, 34 KB outlived each (17 KB promoted); 1 full, 6.4 ms; 11 ms paused in all");
  });

  it("says so when there was none, and skips a line that only looks like one", () => {
    const summary = readGcTrace("a log line with gc=s in it but no pause\n21:20:34.269 ready\n");
    assert.deepEqual(summary, { youngPausesMs: [], survivedBytes: 0, promotedBytes: 0, fullPausesMs: [] });
    assert.equal(gcText(summary), "no young collections; no full one; 0 ms paused in all");
  });

  it("reads what this Node prints under --trace-gc-nvp", () => {
    const run = spawnSync(process.execPath, ["--trace-gc-nvp", "--expose-gc", "-e", "let keep = []; for (let i = 0; i < 200000; i++) keep.push({ i }); gc({ type: 'minor' }); gc(); console.log(keep.length)"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const summary = readGcTrace(run.stdout);
    assert.ok(summary.youngPausesMs.length >= 1, `no young collection read from:\n${run.stdout.slice(0, 2000)}`);
    assert.ok(summary.fullPausesMs.length >= 1, "no full collection read");
    assert.ok(summary.survivedBytes + summary.promotedBytes > 1_000_000, `the 200,000 objects kept outlived the young collections: ${summary.survivedBytes} + ${summary.promotedBytes} bytes`);
  });
});
