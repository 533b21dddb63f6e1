// Every command's command line: --help prints its usage and exits 0, a usage error exits 2,
// a build with nothing changed does nothing and prints nothing, and a hub folder that a
// running Prosody uses is refused with the command that stops it.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUB_LOCK } from "../../hosts/node/hub/folder-in-use.js";
import { startHub } from "../../hosts/node/hub/prosody.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const root = new URL("../../../", import.meta.url).pathname;
const command = (name: string) => new URL(`../../hosts/node/${name}.mjs`, import.meta.url).pathname;
const run = (name: string, args: string[]) => spawnSync(process.execPath, [command(name), ...args], { encoding: "utf8", timeout: 30_000, env: { ...process.env, XMPP_PASSWORD: "" } });

describe("command lines of the commands", function () {
  this.timeout(60_000);

  for (const name of ["demo", "hub", "device", "dashboard", "ctl", "fleet"]) {
    it(`${name} --help prints its usage on stdout and exits 0`, () => {
      const result = run(name, ["--help"]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^usage: npm run /);
    });
  }

  for (const [name, args] of [["demo", ["colour=blue"]], ["hub", ["colour=blue"]], ["device", []], ["dashboard", ["colour=blue"]], ["ctl", ["frobnicate"]]] as const) {
    it(`${name} ${args.join(" ")} is a usage error: exit 2, saying why`, () => {
      const result = run(name, [...args]);
      assert.equal(result.status, 2, `${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /usage|unknown|error/);
    });
  }

  it("a build with nothing changed builds nothing and prints nothing", () => {
    const stamp = `${root}build/.stamp`;
    const before = statSync(stamp).mtimeMs;
    const result = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { encoding: "utf8", timeout: 120_000, cwd: root });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr + result.stdout, "");
    assert.equal(statSync(stamp).mtimeMs, before, "the stamp was not written again");
  });

  describe("a hub folder in use", () => {
    const accounts = [{ user: "owner", password: "owner-secret" }];
    let hub: Hub;
    before(async () => {
      hub = await startTestHub(accounts);
    });
    after(async () => hub?.stop());

    /** startHub that must be refused: a hub that starts anyway is stopped again, so that a failing
     * test does not leave a Prosody keeping mocha (and CI) from ending. */
    async function refusedStart(dir: string): Promise<Error> {
      let started: Awaited<ReturnType<typeof startHub>> | undefined;
      try {
        started = await startHub({ dir, accounts, c2sPort: 0 });
      } catch (error) {
        return error as Error;
      } finally {
        await started?.stop();
      }
      assert.fail(`a second Prosody started on ${dir} (pid ${started.pid})`);
    }

    it("refuses a second Prosody on it, naming the one running and how to stop it", async () => {
      const error = await refusedStart(hub.dir);
      assert.match(error.message, new RegExp(`in use by a running Prosody \\(pid ${hub.pid}\\).*kill ${hub.pid}`));
    });

    it("of two hubs started on one new folder at the same moment, one runs and the other is refused", async () => {
      const dir = mkdtempSync(join(tmpdir(), "hub-race-"));
      const results = await Promise.allSettled([startHub({ dir, accounts }), startHub({ dir, accounts })]);
      const running = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      try {
        assert.equal(running.length, 1, results.map((result) => (result.status === "rejected" ? String(result.reason) : "started")).join("; "));
        const refusal = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
        assert.match(String(refusal.reason), /is in use by a hub starting Prosody \(pid \d+\)/);
      } finally {
        await Promise.all(running.map((each) => each.stop()));
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("takes over a lock left by a hub that is gone, and gives it up when it stops", async () => {
      const dir = mkdtempSync(join(tmpdir(), "hub-stale-"));
      try {
        // A pid that no longer runs: a child that has exited.
        const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
        writeFileSync(join(dir, HUB_LOCK), `${gone.stdout} 12345\n`);
        const started = await startHub({ dir, accounts });
        try {
          assert.match(readFileSync(join(dir, HUB_LOCK), "utf8"), new RegExp(`^${started.pid} \\d+`));
        } finally {
          await started.stop();
        }
        assert.equal(existsSync(join(dir, HUB_LOCK)), false, "the lock is gone once the hub stopped");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
