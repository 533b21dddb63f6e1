// scripts/moddable-sdk.sh, which `npm test` (and CI) and the sim/esp32 scripts run under: a
// user's own MODDABLE is used as it is; without one, the shared SDK copy beside the project is
// set up by its own script and MODDABLE comes from what that prints; with neither, nothing is set
// and it says the simulator suites skip. Run in a scratch layout: project/ beside shared/.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../hosts/node/project.js";

describe("the SDK set-up the tests run under (scripts/moddable-sdk.sh)", () => {
  let dir: string;
  let script: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-sdk-"));
    mkdirSync(join(dir, "project/scripts"), { recursive: true });
    script = join(dir, "project/scripts/moddable-sdk.sh");
    copyFileSync(join(projectRoot(), "scripts/moddable-sdk.sh"), script);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `printenv MODDABLE` under the script, from elsewhere than the project (it must find ../shared itself). */
  function run(env: Record<string, string | undefined>) {
    const clean = { ...process.env, ...env };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete clean[key];
    const result = spawnSync("bash", [script, "bash", "-c", 'printf "%s|%s" "$MODDABLE" "${PATH%%:*}"'], { cwd: dir, encoding: "utf8", env: clean });
    const [moddable, firstPath] = result.stdout.split("|");
    return { status: result.status, moddable, firstPath, stderr: result.stderr };
  }

  function sharedCopy(setup: string) {
    mkdirSync(join(dir, "shared/moddable-sdk"), { recursive: true });
    mkdirSync(join(dir, "shared/tools"), { recursive: true });
    writeFileSync(join(dir, "shared/tools/moddable-setup.sh"), setup);
  }

  it("uses a MODDABLE already set, its tools first on PATH, even where a shared copy exists", () => {
    sharedCopy('echo "the shared set-up must not run" >&2; exit 1\n');
    const { status, moddable, firstPath, stderr } = run({ MODDABLE: "/opt/my-moddable" });
    assert.equal(status, 0, stderr);
    assert.equal(moddable, "/opt/my-moddable");
    assert.equal(firstPath, "/opt/my-moddable/build/bin/lin/release");
    assert.match(stderr, /using MODDABLE=\/opt\/my-moddable/);
  });

  it("sets up the shared copy when MODDABLE is not set, exporting what its set-up script prints", () => {
    sharedCopy(`echo "building" >&2\nprintf 'export MODDABLE=%q\\nexport PATH=%q:"$PATH"\\n' /cache/moddable /cache/moddable/build/bin/lin/release\n`);
    const { status, moddable, firstPath, stderr } = run({ MODDABLE: undefined });
    assert.equal(status, 0, stderr);
    assert.equal(moddable, "/cache/moddable");
    assert.equal(firstPath, "/cache/moddable/build/bin/lin/release");
    assert.match(stderr, /setting up the SDK from \.\.\/shared\/moddable-sdk/);
  });

  it("fails, saying so, when the shared set-up fails, instead of running the suites without the SDK", () => {
    sharedCopy('echo "moddable-setup: build failed" >&2; exit 1\n');
    const { status, moddable, stderr } = run({ MODDABLE: undefined });
    assert.equal(status, 1);
    assert.equal(moddable, "", "nothing ran");
    assert.match(stderr, /the SDK set-up failed/);
  });

  it("sets nothing where there is no SDK at all, and says the simulator suites skip", () => {
    const { status, moddable, stderr } = run({ MODDABLE: undefined });
    assert.equal(status, 0, stderr);
    assert.equal(moddable, "");
    assert.match(stderr, /no MODDABLE and no \.\.\/shared\/moddable-sdk: the simulator, ESP32-build and self-test suites skip/);
  });
});
