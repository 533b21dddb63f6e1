// The tests' child-process watcher: a wait for a line fails as soon as the process has ended
// without printing it (a bench or test waiting minutes on a build that never started learns why
// at once), and a line printed just before the end is still found.

import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { watchProcess } from "../support/device-process.js";

function node(script: string) {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  return watchProcess(child, "the child", async () => {
    child.kill("SIGTERM");
  });
}

describe("watchProcess", () => {
  it("fails a wait at once, with what the process printed, when it ends without the line", async () => {
    const run = node(`console.error("Cannot find module 'scripts/moddable.mjs'"); process.exit(1);`);
    const started = performance.now();
    await assert.rejects(run.waitFor(/online/, 15_000), (error: Error) => {
      assert.match(error.message, /^the child ended \(exit code 1\) without printing \/online\/; it printed:\nCannot find module/);
      return true;
    });
    assert.ok(performance.now() - started < 5_000, "not at the wait's timeout");
  });

  it("still finds a line printed right before the end, also when asked after it", async () => {
    const run = node(`process.stdout.write("online device@hub.test\\n"); process.exit(0);`);
    assert.equal(await run.waitFor(/online \S+/, 15_000), "online device@hub.test");
    await run.exit;
    assert.equal(await run.waitFor(/online \S+/, 15_000), "online device@hub.test");
  });
});
