// The two other ways into the set-up access point, in the Moddable simulator, with a whole account
// built in: the set-up button held at power-up (the simulator's `provision=1`), and a stored
// network that has not been joined for provision_after_s. Either way the firmware opens the
// simulated access point and serves the page on loopback, and does not log in. (The way in of a
// device without an account, and the page itself, are test/sim/provisioning.test.ts.) Skipped,
// saying why, without the SDK.

import { strict as assert } from "node:assert";
import { request } from "node:http";
import { join } from "node:path";
import { freeLoopbackPort } from "../../hosts/node/hub/loopback-port.js";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { MICROWAVE, OWNER } from "../support/microwave-scenario.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";

const BUILD_MS = 600_000;
const PAGE = /set-up\s+page http:\/\/127\.0\.0\.1:\d+\//;
const ONLINE = /online\s+microwave@/;

/** The page's status and whether it is the set-up form. */
function fetchPage(url: string): Promise<{ status: number; form: boolean }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, form: /<form[\s>]/.test(body) && body.includes('name="jid"') }));
    })
      .on("error", reject)
      .end();
  });
}

describe("the set-up access point's other causes in the Moddable simulator", function () {
  this.timeout(BUILD_MS);
  let scratch: string;
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let device: DeviceRun | undefined;

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER], { scratch: "set-up" });
    ({ hub, sntp, scratch } = world);
  });

  afterEach(async () => {
    await device?.stop();
    device = undefined;
  });

  after(async () => {
    await world?.stop();
  });

  const settings = async (extra: Record<string, string>) =>
    deviceSettings(hub, MICROWAVE, OWNER.user, { setup_port: String(await freeLoopbackPort()), sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}`, ...extra });

  it("opens the set-up access point and page when the set-up button is held at power-up, though the account is whole", async () => {
    device = await runSim(microwaveManifest, await settings({ provision: "1" }), ["--data", join(scratch, "button")]);
    const page = await device.waitFor(PAGE, BUILD_MS);
    assert.match(device.output(), /set-up\s+opening the set-up access point: the set-up button was held at boot/);
    const answer = await fetchPage(/http:\S+/.exec(page)![0]);
    assert.deepEqual(answer, { status: 200, form: true });
    assert.doesNotMatch(device.output(), ONLINE);
    assert.doesNotMatch(device.output(), /connecting\s/);
  });

  it("opens them once the stored network has not been joined for provision_after_s, and stops trying to log in", async () => {
    device = await runSim(
      microwaveManifest,
      await settings({ ssid: "Gone", password: "gone-passphrase", sim_wifi: "Home:wpa2_psk:-60", sim_wifi_password: "home-passphrase", provision_after_s: "30" }),
      ["--data", join(scratch, "failing")],
    );
    await device.waitFor(/wifi\s[^\n]*"Gone"/, BUILD_MS);
    const started = Date.now();
    const page = await device.waitFor(PAGE, 120_000);
    const waited = (Date.now() - started) / 1000;
    assert.match(device.output(), /set-up\s+opening the set-up access point: "Gone" has not been joined for 30 s \(provision_after_s\)/);
    assert.ok(waited > 20, `the set-up opened after ${waited} s, not before provision_after_s`);
    const answer = await fetchPage(/http:\S+/.exec(page)![0]);
    assert.deepEqual(answer, { status: 200, form: true });
    assert.doesNotMatch(device.output(), ONLINE);
    // The run stopped: no join is tried after the set-up opened.
    const opened = device.output().length;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    assert.doesNotMatch(device.output().slice(opened), /wifi\s[^\n]*"Gone"/);
  });
});
