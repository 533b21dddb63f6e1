// ESP32 builds without the ESP32 toolchain: `npm run esp32` resolves the board and device
// manifests for esp32/nodemcu, compiles every module with xsc and preloads the firmware with
// xsl (mc.xs.c), then stops before the C compiler (so the project's C module, hosts/moddable/pbkdf2,
// and the boot controls of signed updates, hosts/moddable/ota-boot, are checked only as far as
// their rules, includes and binding; the OTA partition table and the sdkconfig are checked as written). Skipped where the Moddable SDK is not installed.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../hosts/node/project.js";
import { simulatorMissing } from "../support/sim-process.js";

function buildEsp32(board: string, device: string, ca: string, updateKey: string): { status: number | null; output: string; tmp: string } {
  const root = projectRoot();
  const result = spawnSync(
    process.execPath,
    [join(root, "scripts/moddable.mjs"), "esp32", "--board", `boards/${board}`, `devices/${device}/manifest.json`,
      "ssid=Home", "password=wifi-secret", `jid=${device}@hub.test/appliance`, "xmpp_password=secret", "server=192.168.1.2", `ca=${ca}`, "owner=owner@hub.test", `update_key=${updateKey}`],
    { cwd: root, encoding: "utf8", env: { ...process.env, IDF_PATH: "" } },
  );
  const tmp = join(root, "build/moddable/sdk/tmp/esp32/nodemcu/release", `${device}-${board}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}`, tmp };
}

describe("ESP32 builds without the toolchain", function () {
  this.timeout(300_000);

  let scratch: string;
  let ca: string;
  let updateKey: string;

  before(function () {
    const missing = simulatorMissing();
    if (missing) {
      console.log(`    skipped: ${missing}`);
      this.skip();
    }
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-esp32-"));
    ca = join(scratch, "ca.pem");
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(scratch, "ca.key"), "-out", ca, "-subj", "/CN=test hub CA", "-days", "30"], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    updateKey = join(scratch, "update.pub");
    writeFileSync(updateKey, generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }));
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const [board, device] of [["devkitc", "microwave"], ["relay4-heater", "heater"]] as const) {
    it(`compiles and preloads devices/${device} for boards/${board} (esp32/nodemcu), then says what is not built`, () => {
      const { status, output, tmp } = buildEsp32(board, device, ca, updateKey);
      assert.equal(status, 0, output);
      assert.match(output, /The JavaScript for esp32\/nodemcu is compiled and preloaded/);
      assert.match(output, /nothing was flashed: that needs ESP-IDF/);
      assert.ok(existsSync(join(tmp, "mc.xs.c")) && existsSync(join(tmp, "mc.resources.c")));
      // The board's pin map, the settings and the ESP32 creation are what mcconfig resolved.
      const flat = JSON.parse(readFileSync(join(tmp, "manifest_flat.json"), "utf8"));
      const boardManifest = JSON.parse(readFileSync(join(projectRoot(), "boards", board, "manifest.json"), "utf8"));
      assert.deepEqual(flat.config.pins, boardManifest.platforms.esp32.config.pins);
      assert.equal(flat.config.ssid, "Home");
      assert.equal(flat.config.ca, "ca.der");
      assert.equal(flat.config.update_key, "update-key.bin");
      const ours = JSON.parse(readFileSync(join(projectRoot(), "hosts/moddable/manifest.json"), "utf8")).platforms.esp32.creation;
      assert.deepEqual({ chunk: flat.creation.chunk, heap: flat.creation.heap, stack: flat.creation.stack }, { chunk: ours.chunk, heap: ours.heap, stack: ours.stack });
      // The SDK's own Wi-Fi join (which takes any security mode) is replaced; the firmware is preloaded.
      const makefile = readFileSync(join(tmp, "makefile"), "utf8");
      assert.match(makefile, /setup\/network\.xsb: \S*hosts\/moddable\/setup-network\.js/);
      assert.match(makefile, /appliance\/firmware\.xsb: \S*build\/moddable\/firmware\.js/);
      assert.match(makefile, /-p appliance\/firmware\.xsb/);
      // The project's native PBKDF2 is in the build: its C source gets a compile rule for the
      // board (run only with ESP-IDF), finds the SDK's SHA headers, and its host function is
      // bound in the preloaded firmware (resolved when the image links).
      assert.match(makefile, /\$\(TMP_DIR\)\/pbkdf2\.c\.o: \S*hosts\/moddable\/pbkdf2\/pbkdf2\.c /);
      assert.match(makefile, /-I\S*modules\/crypt\/digest\/kcl\b/);
      assert.match(makefile, /-p appliance\/pbkdf2\.xsb/);
      assert.ok(existsSync(join(tmp, "pbkdf2.c.xsi")), "xsid read pbkdf2.c");
      assert.match(readFileSync(join(tmp, "mc.xs.c"), "utf8"), /\{ xs_appliance_pbkdf2, 4, \d+ \}/);
      // Signed updates: the SDK's ota module and the project's boot controls (hosts/moddable/ota-boot)
      // are compiled and bound; the ota module splits the factory partition into two OTA
      // partitions and otadata; ESP-IDF's app rollback is on in the sdkconfig mcconfig merged.
      const xs = readFileSync(join(tmp, "mc.xs.c"), "utf8");
      for (const host of ["xs_ota_write", "xs_ota_complete", "xs_appliance_ota_trial", "xs_appliance_ota_confirm", "xs_appliance_ota_rollback", "xs_appliance_restart"]) assert.match(xs, new RegExp(`\\{ ${host}, \\d+, \\d+ \\}`), host);
      assert.match(makefile, /\$\(TMP_DIR\)\/ota-boot\.c\.o: \S*hosts\/moddable\/ota-boot\/ota-boot\.c /);
      assert.match(makefile, /\$\(TMP_DIR\)\/ota\.c\.o: \S*devices\/esp32\/modules\/ota\/ota\.c /);
      const partitions = readFileSync(join(tmp, "xsProj-esp32", "partitions.csv"), "utf8");
      for (const name of ["ota_0, app, ota_0", "ota_1, app, ota_1", "otadata, data, ota"]) assert.ok(partitions.includes(name), `${name} in\n${partitions}`);
      assert.doesNotMatch(partitions, /\bfactory\b/);
      assert.match(readFileSync(join(tmp, "xsProj-esp32", "sdkconfig.mc"), "utf8"), /^CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y$/m);
    });
  }
});
