// A stock client against a real hub: slixmpp's XEP-0050 plugin (Debian's python3-slixmpp) runs the
// desktop microwave's PREHEAT the way a script written for it does; a refused value reaches the
// script's error handler with the device's reason, a good one its result handler with the note.

import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HUB_SERVERS, startTestHub, type Hub } from "../support/prosody.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";

const MICROWAVE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };
const SCRIPT = fileURLToPath(new URL("../../../test/support/slixmpp-adhoc.py", import.meta.url));
// Debian's interpreter, where python3-slixmpp installs (a python3 earlier on PATH may not have it).
const PYTHON = "/usr/bin/python3";

type Step = { step: string; [key: string]: unknown };

/** Runs the script as the owner against `to` and gives the steps it printed. */
function slixmpp(hub: Hub, to: string, node: string, values: Record<string, string>): Promise<Step[]> {
  const args = [SCRIPT, `${OWNER.user}@${hub.domain}/slixmpp`, hub.host, String(hub.c2sPort), hub.caPath, to, node, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)];
  const child = spawn(PYTHON, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, XMPP_PASSWORD: OWNER.password } });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`slixmpp script exited ${code}:\n${err}`));
      resolve(out.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Step));
    });
  });
}

for (const server of HUB_SERVERS) describe(`slixmpp runs the device's ad-hoc commands (${server})`, function () {
  this.timeout(90_000);
  let hub: Hub;
  let device: DeviceRun;
  let to: string;

  before(async function () {
    assert.ok(existsSync(PYTHON), `${PYTHON} is missing: apt-get install python3-slixmpp (scripts/system-packages.sh)`);
    hub = await startTestHub([MICROWAVE, OWNER], { server });
    device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
    await device.waitFor(/online\s+\S+/);
    to = `${MICROWAVE.user}@${hub.domain}/appliance`;
  });

  after(async () => {
    await device?.stop();
    await hub?.stop();
  });

  it("gets the refusal of PREHEAT 500 20 in its error handler, with the device's reason", async () => {
    const steps = await slixmpp(hub, to, "PREHEAT", { temp: "500", time: "20" });
    assert.deepEqual(steps, [
      { step: "list", items: ["GRILL", "PREHEAT", "STOP", "declaration", "settings", "status"] },
      { step: "form", fields: ["temp", "time"] },
      { step: "error", condition: "bad-request", text: "error: temp must be between 50 and 400 C, got 500" },
    ]);
  });

  it("gets PREHEAT 350 20 in its result handler: completed, the device's ok as an info note", async () => {
    const steps = await slixmpp(hub, to, "PREHEAT", { temp: "350", time: "20" });
    assert.deepEqual(steps.at(-1), { step: "result", status: "completed", notes: [["info", "ok: PREHEAT 350 20, for 20 min"]] });
  });
});
