// The desktop's settings file: values kept across instances, the contract's limits, a damaged
// file named with what to do, and a process killed while writing leaves a whole file behind.

import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSettingsStore, SettingsFileError } from "../../hosts/node/settings-file.js";

const storeModule = new URL("../../hosts/node/settings-file.mjs", import.meta.url).href;

describe("settings file (desktop store)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-settings-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps values across instances, removes them, and is readable by its owner only", () => {
    const path = join(dir, "sub", "device.json");
    const store = new FileSettingsStore(path);
    assert.equal(store.get("jid"), undefined);
    store.set("jid", "a@hub.test");
    store.set("ssid", "Home");
    store.set("ssid", undefined);
    const again = new FileSettingsStore(path);
    assert.equal(again.get("jid"), "a@hub.test");
    assert.equal(again.get("ssid"), undefined);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, "sub")), ["device.json"], "no temporary file is left");
  });

  it("refuses what the contract does not allow and leaves the file as it was", () => {
    const path = join(dir, "device.json");
    const store = new FileSettingsStore(path);
    store.set("jid", "a@hub.test");
    const before = readFileSync(path, "utf8");
    assert.throws(() => store.set("sixteen_chars_xx", "v"), /15/);
    assert.throws(() => store.set("big", "x".repeat(4001)), /4001 bytes/);
    assert.equal(readFileSync(path, "utf8"), before);
  });

  it("names a damaged file and says that deleting it is a factory reset", () => {
    const path = join(dir, "device.json");
    writeFileSync(path, "{ not json");
    assert.throws(() => new FileSettingsStore(path), (error: unknown) => error instanceof SettingsFileError && error.message.includes(path) && /factory reset/.test(error.message));
  });

  it("leaves a whole file, old or new, when the process is killed while writing", async function () {
    this.timeout(60_000);
    const path = join(dir, "device.json");
    // Each write replaces the value with a bigger one: a torn write would show as bad JSON or a short value.
    const script = `
      import { FileSettingsStore } from ${JSON.stringify(storeModule)};
      const store = new FileSettingsStore(${JSON.stringify(path)});
      for (let i = 1; i <= 2000; i++) store.set("value", String(i % 10).repeat(1000 + i));
    `;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 60));
      child.kill("SIGKILL");
      await once(child, "exit");
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue; // killed before the first write
      }
      const parsed = JSON.parse(text) as { value: string };
      const digit = parsed.value[0]!;
      assert.match(parsed.value, new RegExp(`^${digit}+$`));
      assert.ok(parsed.value.length > 1000);
    }
  });
});
