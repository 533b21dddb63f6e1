// Proves the XS harness and runner fail when they should: small suites bundled like the real
// XS bundle, run on xsnap through runOnXs, so a harness that passes everything cannot hide.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { ensureXsnap, judge, projectRoot, runOnXs, type XsRun } from "../xs/xsnap.js";

describe("XS harness on xsnap", function () {
  let dir: string;

  before(function () {
    this.timeout(180_000); // the first run builds xsnap
    ensureXsnap();
    dir = mkdtempSync(join(tmpdir(), "xs-harness-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Bundles `suite` behind the harness, as scripts/build.mjs does, and runs it on xsnap. */
  async function runSuite(name: string, suite: string, options: { runArgument?: string; timeoutMs?: number } = {}): Promise<XsRun> {
    const outfile = join(dir, `${name}.js`);
    await build({
      absWorkingDir: projectRoot,
      stdin: {
        contents: `import { run } from "./test/xs/harness.ts";\n${suite}\nrun(${options.runArgument ?? ""});\n`,
        resolveDir: projectRoot,
        sourcefile: `${name}.ts`,
        loader: "ts",
      },
      outfile,
      bundle: true,
      platform: "neutral",
      format: "iife",
      banner: { js: '"use strict";' },
      target: "es2022",
      logLevel: "silent",
    });
    return runOnXs(outfile, { echo: false, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  }

  it("reports failing sync and async tests, with the error's type, and fails the run", async () => {
    const run = await runSuite(
      "failing",
      `describe("math", () => {
        it("adds", () => { if (1 + 1 !== 2) throw new Error("no"); });
        it("breaks", () => { throw new Error("sync failure"); });
        it("breaks later", async () => { await null; throw new Error("async failure"); });
        it("explains", () => { throw new TypeError("first line\\nsecond line"); });
      });`,
    );
    assert.equal(run.ok, false);
    assert.match(run.output, /^1 passed, 3 failed$/m);
    assert.match(run.output, /^ {2}ok - math > adds$/m);
    assert.match(run.output, /^ {2}FAIL - math > breaks: sync failure$/m);
    assert.match(run.output, /^ {2}FAIL - math > breaks later: async failure$/m);
    assert.match(run.output, /^ {2}FAIL - math > explains: TypeError: first line\nsecond line$/m);
    assert.equal(run.output.split("second line").length, 2, "the stack does not repeat the message");
    assert.deepEqual([run.passed, run.failed], [1, 3]);
    const order = ["ok - math > adds", "FAIL - math > breaks:", "FAIL - math > breaks later:"].map((line) => run.output.indexOf(line));
    assert.deepEqual([...order].sort((a, b) => a - b), order, "tests run in declaration order");
  });

  it("fails the run when a suite throws while loading", async () => {
    const run = await runSuite(
      "load-error",
      `describe("fine", () => { it("passes", () => {}); });
      throw new Error("suite cannot load");`,
    );
    assert.equal(run.ok, false);
    assert.doesNotMatch(run.output, /passed, \d+ failed/);
    assert.match(run.output, /suite cannot load/);
    assert.match(run.problems.join("\n"), /without its closing/);
  });

  it("runs hooks, nesting, skips and done callbacks in mocha's order", async () => {
    const run = await runSuite(
      "passing",
      `const log: string[] = [];
      describe("outer", () => {
        before(() => { log.push("before"); });
        beforeEach(() => { log.push("outer each"); });
        afterEach(() => { log.push("outer after each"); });
        after(() => { log.push("after"); });
        it("first", () => { log.push("first"); });
        describe("inner", () => {
          beforeEach(async () => { await null; log.push("inner each"); });
          afterEach(() => { log.push("inner after each"); });
          it("second", (done: (error?: unknown) => void) => { log.push("second"); setImmediate(() => done()); });
        });
        it.skip("skipped", () => { throw new Error("must not run"); });
        it("pending");
        describe.skip("skipped suite", () => { it("not run", () => { throw new Error("must not run"); }); });
      });
      describe("order", () => {
        it("was mocha's", () => {
          const expected = ["before", "outer each", "first", "outer after each", "outer each", "inner each",
            "second", "inner after each", "outer after each", "after"];
          if (JSON.stringify(log) !== JSON.stringify(expected)) throw new Error(JSON.stringify(log));
        });
      });`,
    );
    assert.deepEqual(run.problems, []);
    assert.equal(run.ok, true);
    assert.match(run.output, /^3 passed, 0 failed, 3 skipped$/m);
    assert.match(run.output, /^ {2}ok - outer > inner > second$/m);
    assert.match(run.output, /^ {2}skip - outer > skipped suite > not run$/m);
  });

  it("fails a test whose promise never settles, and goes on", async () => {
    const run = await runSuite(
      "hang",
      `it("hangs", () => new Promise(() => {}));
      it("runs after", () => {});`,
      { runArgument: "{ timeoutMs: 100 }" },
    );
    assert.match(run.output, /^ {2}FAIL - hangs: timed out after 100 ms/m);
    assert.match(run.output, /^1 passed, 1 failed$/m);
  });

  it("fails the run on a rejection nobody handles", async () => {
    const run = await runSuite("rejection", `it("leaks", () => { Promise.reject(new Error("dropped")); });`);
    assert.equal(run.ok, false);
    assert.match(run.problems.join("\n"), /nothing handled it/);
  });

  it("fails hook failures and errors thrown from timers", async () => {
    const run = await runSuite(
      "hooks",
      `describe("a", () => {
        before(() => { throw new Error("no setup"); });
        it("never runs", () => {});
      });
      describe("b", () => {
        afterEach(() => { throw new Error("no teardown"); });
        it("passes alone", () => {});
      });
      it("throws in a timer", () => new Promise(() => { setTimeout(() => { throw new Error("timer blew up"); }, 5); }));`,
    );
    assert.match(run.output, /^ {2}FAIL - a > "before all" hook: no setup$/m);
    assert.match(run.output, /^ {2}FAIL - b > passes alone > "after each" hook: no teardown$/m);
    assert.match(run.output, /^ {2}FAIL - throws in a timer: timer blew up$/m);
    assert.doesNotMatch(run.output, /never runs/);
    assert.match(run.output, /^0 passed, 3 failed$/m);
  });

  it("fails the run on an error thrown from a timer after the closing line", async () => {
    const run = await runSuite(
      "late",
      `it("leaves work behind", () => { setImmediate(() => setTimeout(() => { throw new Error("too late"); }, 0)); });`,
    );
    assert.match(run.output, /^1 passed, 0 failed$/m);
    assert.match(run.output, /^ {2}FAIL - uncaught error after the run: too late$/m);
    assert.equal(run.ok, false);
  });

  it("gives XS real-time setTimeout and clearTimeout, and a console", async () => {
    const run = await runSuite(
      "timers",
      `it("waits", async () => {
        const start = performance.now();
        let cleared = false;
        let calls = 0;
        clearTimeout(setTimeout(() => { cleared = true; }, 1));
        setTimeout(() => { calls++; }, 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        const waited = performance.now() - start;
        if (waited < 30 || cleared || calls !== 1) throw new Error(JSON.stringify({ waited, cleared, calls }));
        console.log("console works");
      });`,
    );
    assert.deepEqual(run.problems, []);
    assert.match(run.output, /^console works$/m);
  });

  it("treats a stopped run and an empty run as failures", async () => {
    const run = await runSuite("slow", `it("spins", () => new Promise(() => { setTimeout(() => {}, 60_000); }));`, { timeoutMs: 500 });
    assert.equal(run.ok, false);
    assert.match(run.problems.join("\n"), /still running after 0.5 s/);
    assert.equal(judge("0 passed, 0 failed\n", "", 0, null).ok, false);
    assert.equal(judge("1 passed, 0 failed\n", "", 0, null).ok, true);
  });
});
