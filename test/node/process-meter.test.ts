import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, processUsage, systemCalls, systemCallsPer, threadCpu } from "../../bench/process-meter.js";

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
    assert.deepEqual(systemCalls(child.pid!), { reads: 0, writes: 0 });
  });

  it("counts a process's read and write system calls", () => {
    const dir = mkdtempSync(join(tmpdir(), "process-meter-"));
    try {
      const fd = openSync(join(dir, "calls"), "w+");
      const byte = Buffer.from("x");
      const before = systemCalls(process.pid);
      for (let i = 0; i < 200; i++) writeSync(fd, byte, 0, 1, i);
      for (let i = 0; i < 100; i++) readSync(fd, byte, 0, 1, i);
      const after = systemCalls(process.pid);
      closeSync(fd);
      const writes = after.writes - before.writes;
      const reads = after.reads - before.reads;
      // Each writeSync and readSync is one system call; reading /proc itself is a read or two, and
      // the process's other threads may make a few of their own meanwhile.
      assert.ok(writes >= 200 && writes < 250, `${writes} writes for 200 writeSync`);
      assert.ok(reads >= 100 && reads < 150, `${reads} reads for 100 readSync`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives system calls per command, and says so when there were none to read", () => {
    assert.equal(systemCallsPer(250, 500, 200), "read 1.25 write 2.50");
    assert.equal(systemCallsPer(0, 3, 200), "read 0.00 write 0.01");
    assert.equal(systemCallsPer(0, 0, 200), "- (/proc/<pid>/io unreadable)");
  });

  it("takes percentiles of sorted samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 51);
    assert.equal(percentile(sorted, 99), 100);
    assert.ok(Number.isNaN(percentile([], 99)));
  });
});
