import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { percentile, processUsage, threadCpu } from "../../bench/process-meter.js";

/** Keeps this thread on the CPU for `ms` milliseconds. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe("bench process meter", () => {
  it("counts a process's main-thread CPU apart from its other threads, in milliseconds", () => {
    const before = threadCpu(process.pid);
    spin(60);
    const after = threadCpu(process.pid);
    const main = after.mainMs - before.mainMs;
    // The spin ran on this (the main) thread; schedstat counts nanoseconds, so 60 ms shows as about 60.
    assert.ok(main >= 50 && main < 1000, `main thread ${main} ms for a 60 ms spin`);
    // V8's worker threads (its compiler, its garbage collector) have run by now: counted apart.
    assert.ok(after.helpersMs > 0, `other threads ${after.helpersMs} ms`);
  });

  it("reads another process's threads, and zeros once it is gone", async () => {
    const child = spawn(process.execPath, ["-e", "const t = Date.now() + 200; while (Date.now() < t);"], { stdio: "ignore" });
    const exited = once(child, "exit");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const running = threadCpu(child.pid!);
    assert.ok(running.mainMs > 0, `a busy child's main thread: ${running.mainMs} ms`);
    assert.ok(processUsage(child.pid!).rssMiB > 0);
    await exited;
    // Reaped: /proc has no entry for it any more.
    assert.deepEqual(threadCpu(child.pid!), { mainMs: 0, helpersMs: 0 });
    assert.deepEqual(processUsage(child.pid!), { cpu: 0, rssMiB: 0 });
  });

  it("takes percentiles of sorted samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 51);
    assert.equal(percentile(sorted, 99), 100);
    assert.ok(Number.isNaN(percentile([], 99)));
  });
});
