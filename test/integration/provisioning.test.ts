// Provisioning end to end on the desktop: a device with no account opens its set-up page
// (the access point's passphrase printed for the label), Debian's Chromium fills it in, each bad
// value is refused naming its field with nothing stored, the good ones are confirmed (the CA's
// fingerprint shown), stored, and the device restarts and comes online on a real Prosody.

import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const MICROWAVE = { user: "microwave", password: "device-secret-9" };
const OWNER = { user: "owner", password: "owner-secret" };
const WIFI_PASSPHRASE = "home-wifi-secret";

describe("provisioning in Chromium (desktop device)", function () {
  this.timeout(90_000);
  let scratch: string;
  let hub: Hub;
  let device: DeviceRun;
  let browser: BrowserContext;
  let page: Page;
  let failed = false;
  let settingsFile: string;
  /** Every page the browser was shown, to check that no password was ever written into one. */
  const pages: string[] = [];

  before(async function () {
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-provisioning-"));
    browser = await launchChromium(join(scratch, "profile"));
    hub = await startTestHub([MICROWAVE, OWNER]);
    settingsFile = join(scratch, "microwave.settings.json");
    // The manifest names the JID and an owner but holds no password or CA: a device fresh from the factory.
    device = runDevice(microwaveManifest, [`settings=${settingsFile}`, "sim_wifi=Home:wpa2_psk:-60,Cafe:none:-40,Neighbour:wpa3_psk:-75"]);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== "failed" || page === undefined) return;
    failed = true;
    await page.screenshot({ path: join(scratch, "failed.png"), fullPage: true }).catch(() => undefined);
    console.error(`  screenshot: ${join(scratch, "failed.png")}\n  device output:\n${device?.output()}`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await device?.stop();
    await hub?.stop();
    if (scratch !== undefined && !failed) rmSync(scratch, { recursive: true, force: true });
    else if (scratch !== undefined) console.error(`  provisioning test files kept in ${scratch}`);
  });

  async function keepScreenshot(name: string): Promise<void> {
    const keep = process.env.SET_UP_SCREENSHOTS;
    if (keep === undefined || keep === "") return;
    mkdirSync(keep, { recursive: true });
    await page.screenshot({ path: join(keep, `set-up-${name}.png`), fullPage: true });
  }

  const good = () => ({
    ssid: "Home",
    password: WIFI_PASSPHRASE,
    jid: `${MICROWAVE.user}@${hub.domain}/appliance`,
    xmpp_password: MICROWAVE.password,
    server: `${hub.host}:${hub.c2sPort}`,
    owner: `${OWNER.user}@${hub.domain}`,
  });

  /** Fills every field (the CA by uploading its file, as a person would) with `change` over the good values, and sends the form. */
  async function submit(change: Partial<Record<keyof ReturnType<typeof good> | "ca", string>>): Promise<void> {
    const values = { ...good(), ...change };
    await page.selectOption("#ssid", values.ssid === "" ? { index: 0 } : values.ssid);
    for (const key of ["password", "jid", "xmpp_password", "server", "owner"] as const) await page.fill(`#${key}`, values[key]);
    if (change.ca === undefined) {
      await page.setInputFiles("#ca_file", hub.caPath);
      await page.waitForFunction('document.getElementById("ca").value.includes("BEGIN CERTIFICATE")');
    } else await page.fill("#ca", change.ca);
    await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
    pages.push(await page.content());
  }

  it("prints the access point's per-device passphrase and serves the page on loopback", async () => {
    const line = await device.waitFor(/set-up\s+access point "Appliance-Setup-\w{4}" \(WPA2\), passphrase (\w{4}-){3}\w{4}/);
    assert.match(device.output(), /opening the set-up access point: the settings cannot be used/);
    const passphrase = /passphrase (\S+)/.exec(line)![1]!;
    // Stored, so the label stays right; never shared: made from this device's random source.
    assert.equal(JSON.parse(JSON.parse(readFileSync(settingsFile, "utf8")).setup_ap).passphrase, passphrase);
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(await device.waitFor(/set-up\s+page http:\/\/127\.0\.0\.1:\d+\//))![0];
    await page.goto(url);
    pages.push(await page.content());
    assert.equal(await page.locator("#ssid option[value=Home]").count(), 1);
    assert.match((await page.locator("#ssid option[disabled]").first().textContent())!, /^Cafe \(none, -40 dBm\): refused/);
    assert.equal(await page.locator("#ssid option[value=Neighbour]").count(), 1, "WPA3 is offered");
  });

  it("refuses each bad value with a message naming its field, storing nothing", async () => {
    const cases: [Parameters<typeof submit>[0], RegExp][] = [
      [{ ssid: "" }, /\(ssid\): choose the network/],
      [{ password: "short" }, /Wi-Fi passphrase \(password\): a WPA2 passphrase is 8 to 63/],
      [{ jid: "@nowhere" }, /Device JID \(jid\)/],
      [{ xmpp_password: "" }, /XMPP account password \(xmpp_password\): missing/],
      [{ server: "hub.test:70000" }, /\(server\): port 70000 is not between 1 and 65535/],
      [{ ca: "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----" }, /CA certificate \(PEM\) \(ca\): not a PEM certificate/],
      [{ owner: "" }, /\(owner\): at least one owner is needed/],
    ];
    for (const [change, message] of cases) {
      await submit(change);
      assert.match((await page.locator("#problem").textContent())!, message, JSON.stringify(change));
      assert.match((await page.locator("#problem").textContent())!, /Nothing was stored/);
      if (change.owner === "") await keepScreenshot("refused");
    }
    assert.equal(JSON.parse(readFileSync(settingsFile, "utf8")).settings, undefined, "nothing stored");
    assert.doesNotMatch(device.output(), /stored|online/);
  });

  it("shows the CA's SHA-256 fingerprint to confirm, stores on confirmation, and the device restarts and comes online", async () => {
    await submit({});
    const fingerprint = new X509Certificate(readFileSync(hub.caPath)).fingerprint256;
    assert.equal(await page.locator("#fingerprint").textContent(), fingerprint);
    assert.equal(JSON.parse(readFileSync(settingsFile, "utf8")).settings, undefined, "nothing stored before the confirmation");
    await keepScreenshot("confirm");
    const from = device.output().length;
    await Promise.all([page.waitForLoadState("load"), page.click("#store")]);
    pages.push(await page.content());
    assert.match((await page.locator("#message").textContent())!, /The settings are stored\. The device restarts now/);
    await device.waitFor(/restarting\s+on the settings stored on the device/, 15_000, from);
    await device.waitFor(new RegExp(`online\\s+${MICROWAVE.user}@${hub.domain.replace(/\./g, "\\.")}/appliance`), 20_000, from);
    assert.ok(existsSync(settingsFile));
    const stored = JSON.parse(readFileSync(settingsFile, "utf8")) as Record<string, string>;
    assert.ok(Object.keys(stored).some((key) => key.startsWith("settings")), "the settings record is stored");
  });

  it("never wrote a password into a page or the device's log", () => {
    for (const secret of [WIFI_PASSPHRASE, MICROWAVE.password]) {
      for (const html of pages) assert.ok(!html.includes(secret), "a password was written into a page");
      assert.ok(!device.output().includes(secret), "a password was logged");
    }
  });
});
