// Provisioning in the Moddable simulator: the firmware, built without an account, opens its
// simulated set-up access point and serves the page from mcsim on the desktop's loopback;
// Debian's Chromium fills it in (a bad value refused naming its field, then good ones, the CA's
// fingerprint confirmed) and the firmware restarts, joins the simulated network with the
// passphrase given and comes online on a real Prosody. Skipped, saying why, without the SDK.

import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { freeLoopbackPort } from "../../hosts/node/hub/loopback-port.js";
import { launchChromium } from "../support/chromium.js";
import { microwaveManifest, type DeviceRun } from "../support/device-process.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";

/** Building for the simulator compiles the SDK's C sources the first time: minutes, not seconds. */
const BUILD_MS = 600_000;
const MICROWAVE = { user: "microwave", password: "sim-device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };
const WIFI_PASSPHRASE = "sim-home-passphrase";

describe("provisioning in the Moddable simulator, in Chromium", function () {
  this.timeout(BUILD_MS);
  let scratch: string;
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let device: DeviceRun | undefined;
  let browser: BrowserContext;
  let page: Page;
  let url: string;
  let failed = false;

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER], { scratch: "provisioning" });
    ({ hub, sntp, scratch } = world);
    browser = await launchChromium(join(scratch, "profile"));
    const port = await freeLoopbackPort();
    // No xmpp_password or ca on the build line: the firmware has no account. Its own file root, so
    // no other simulator's stored settings are read or changed.
    device = await runSim(
      microwaveManifest,
      [`setup_port=${port}`, "sim_wifi=Home:wpa2_psk:-60,Cafe:none:-40", `sim_wifi_password=${WIFI_PASSPHRASE}`, `sntp=127.0.0.1:${sntp.port}`, `sntp_pool=127.0.0.1:${sntp.port}`],
      ["--data", join(scratch, "files")],
    );
    url = /http:\/\/127\.0\.0\.1:\d+\//.exec(await device.waitFor(/set-up\s+page http:\/\/127\.0\.0\.1:\d+\//, BUILD_MS))![0];
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(20_000);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== "failed" || page === undefined) return;
    failed = true;
    await page.screenshot({ path: join(scratch, "failed.png"), fullPage: true }).catch(() => undefined);
    console.error(`  screenshot: ${join(scratch, "failed.png")}\n  simulator output:\n${device?.output()}`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await device?.stop();
    await world?.stop(failed);
    if (failed && scratch !== undefined) console.error(`  simulator provisioning files kept in ${scratch}`);
  });

  async function fill(owner: string): Promise<void> {
    await page.selectOption("#ssid", "Home");
    await page.fill("#password", WIFI_PASSPHRASE);
    await page.fill("#jid", `${MICROWAVE.user}@${hub.domain}`);
    await page.fill("#xmpp_password", MICROWAVE.password);
    await page.fill("#server", `${hub.host}:${hub.c2sPort}`);
    await page.setInputFiles("#ca_file", hub.caPath);
    await page.waitForFunction('document.getElementById("ca").value.includes("BEGIN CERTIFICATE")');
    await page.fill("#owner", owner);
    await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  }

  it("opens the simulated access point with its own passphrase and serves the page from mcsim", async () => {
    const output = device!.output();
    assert.match(output, /opening the set-up access point: the settings cannot be used/);
    assert.match(output, /sim wifi: access point "Appliance-Setup-\w{4}" open to join \(WPA2-PSK/);
    assert.match(output, /set-up\s+access point "Appliance-Setup-\w{4}" \(WPA2\), passphrase (\w{4}-){3}\w{4}/);
    await page.goto(url);
    assert.equal(await page.locator("#ssid option[value=Home]").count(), 1);
    assert.match((await page.locator("#ssid option[disabled]").first().textContent())!, /^Cafe \(none, -40 dBm\): refused/);
  });

  it("refuses a bad value naming its field, then stores the good ones after the fingerprint, and the firmware comes online", async () => {
    await fill("");
    assert.match((await page.locator("#problem").textContent())!, /\(owner\): at least one owner is needed.*Nothing was stored/);
    await fill(`${OWNER.user}@${hub.domain}`);
    assert.equal(await page.locator("#fingerprint").textContent(), new X509Certificate(readFileSync(hub.caPath)).fingerprint256);
    const from = device!.output().length;
    await Promise.all([page.waitForLoadState("load"), page.click("#store")]);
    assert.match((await page.locator("#message").textContent())!, /The settings are stored/);
    await device!.waitFor(/restarting\s+the simulator runs the firmware again/, 20_000, from);
    await device!.waitFor(/wifi up\s+"Home"/, 30_000, from);
    await device!.waitFor(new RegExp(`online\\s+${MICROWAVE.user}@${hub.domain.replace(/\./g, "\\.")}`), 60_000, from);
    // The firmware's trace, not the build line that gave the simulated network its passphrase.
    const traced = device!.output().split("\n").filter((line) => !line.startsWith("$ mcconfig")).join("\n");
    for (const secret of [WIFI_PASSPHRASE, MICROWAVE.password]) assert.ok(!traced.includes(secret), "a password was traced");
  });
});
