// Every command's command line: --help prints its usage and exits 0, a usage error exits 2,
// a build with nothing changed does nothing and prints nothing, and a hub folder that a
// running Prosody uses is refused with the command that stops it.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
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
    let hub: Hub;
    before(async () => {
      hub = await startTestHub([{ user: "owner", password: "owner-secret" }]);
    });
    after(async () => hub?.stop());

    it("refuses a second Prosody on it, naming the one running and how to stop it", async () => {
      await assert.rejects(startHub({ dir: hub.dir, accounts: [{ user: "owner", password: "owner-secret" }], c2sPort: 0 }), (error: Error) => {
        assert.match(error.message, new RegExp(`in use by a running Prosody \\(pid ${hub.pid}\\).*kill ${hub.pid}`));
        return true;
      });
    });
  });
});
