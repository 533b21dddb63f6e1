// The web dashboard end to end: a real hub serving WebSocket, the desktop microwave, the
// dashboard command, and Debian's Chromium (headless, via playwright-core) logging in as the
// owner, commanding the microwave through both instruction-set paths and watching delivery.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { runDashboard, type DashboardRun } from "../support/dashboard-process.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const MICROWAVE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };

describe("web dashboard in Chromium", function () {
  this.timeout(60_000);
  let scratch: string;
  let hub: Hub;
  let device: DeviceRun;
  let dashboard: DashboardRun;
  let browser: BrowserContext;
  let page: Page;
  let failed = false;
  const pageProblems: string[] = [];

  before(async function () {
    this.timeout(90_000);
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-dashboard-"));
    // First, so that a machine without Chromium fails at once with the install line.
    browser = await launchChromium(join(scratch, "profile"));
    hub = await startTestHub([MICROWAVE, OWNER], { websocket: true });
    device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
    await device.waitFor(/online\s+\S+/);
    dashboard = await runDashboard([`websocket=${hub.websocketUrl}`, `jid=${OWNER.user}@${hub.domain}`, `xmpp_password=${OWNER.password}`]);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageProblems.push(`page error: ${error.message}`));
    page.on("console", (message) => message.type() === "error" && pageProblems.push(`console: ${message.text()}`));
  });

  afterEach(async function () {
    if (this.currentTest?.state !== "failed" || page === undefined) return;
    failed = true;
    const shot = join(scratch, `${this.currentTest.title.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    console.error(`  screenshot: ${shot}${pageProblems.length > 0 ? `\n  ${pageProblems.join("\n  ")}` : ""}`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await dashboard?.stop();
    await device?.stop();
    await hub?.stop();
    // Kept after a failure: the screenshots are in it.
    if (scratch !== undefined && !failed) rmSync(scratch, { recursive: true, force: true });
    else if (scratch !== undefined) console.error(`  dashboard test files kept in ${scratch}`);
  });

  const microwave = () => `${MICROWAVE.user}@${hub.domain}`;
  /** The delivery log's entry for `command`, the newest first. */
  const delivery = (command: string): Locator => page.locator("#delivery-log li.delivery", { has: page.locator("code.command", { hasText: new RegExp(`^${command}$`) }) }).first();
  async function expectText(locator: Locator, pattern: RegExp): Promise<void> {
    await locator.filter({ hasText: pattern }).first().waitFor();
    assert.match((await locator.first().textContent()) ?? "", pattern);
  }

  it("serves the page with the login form filled in from its settings, explains a failed login, and logs in as the owner", async () => {
    await page.goto(dashboard.url);
    assert.equal(await page.inputValue("#login-jid"), `${OWNER.user}@${hub.domain}`);
    assert.equal(await page.inputValue("#login-websocket"), hub.websocketUrl);

    // What goes wrong at login is said in words, and the form stays to try again.
    await page.fill("#login-websocket", "ws://127.0.0.1:9/xmpp-websocket");
    await page.click("#login-form button");
    await expectText(page.locator("#login-error"), /^cannot connect to ws:\/\/127\.0\.0\.1:9\/xmpp-websocket: is the hub running with websocket=true/);
    await page.fill("#login-websocket", hub.websocketUrl!);
    await page.fill("#login-password", "wrong");
    await page.click("#login-form button");
    await expectText(page.locator("#login-error"), /^the hub refused owner@hub\.test with this password \(not-authorized\); check both$/);
    pageProblems.length = 0; // the browser logs the failed WebSocket itself

    await page.fill("#login-password", OWNER.password);
    await page.click("#login-form button");
    await page.locator("#dashboard").waitFor({ state: "visible" });
    assert.match((await page.textContent("#session")) ?? "", new RegExp(`^${OWNER.user}@${hub.domain}/dashboard-\\w+: online`));
  });

  it("adds the microwave by its JID and lists it online with its status text, live from presence", async () => {
    await page.fill("#add-device input[name=jid]", microwave());
    await page.click("#add-device button");
    const entry = page.locator(`li.device[data-jid="${microwave()}"]`);
    await entry.and(page.locator("[data-state=online]")).waitFor();
    assert.match((await entry.locator(".status").textContent()) ?? "", /^idle$/);
    // The device asked its owner back when it logged in; adding it answered that request too.
    assert.equal(await page.locator("#requests .request").count(), 0);
    // Adding selected it.
    await expectText(page.locator("#device-title"), new RegExp(microwave()));
    await expectText(page.locator("#presence-status"), /^idle$/);
  });

  it("offers the device's ad-hoc commands first, and its help table as the other source", async () => {
    await page.locator("#instruction-source option[value=ad-hoc]").waitFor({ state: "attached" });
    assert.equal(await page.inputValue("#instruction-source"), "ad-hoc");
    for (const opcode of ["PREHEAT", "GRILL", "STOP"]) await page.locator(`#instruction-list button[data-opcode=${opcode}]`).waitFor();
  });

  it("help path: the PREHEAT form from the help table sends PREHEAT 350 20 as chat; the delivery goes sent, received, ok", async () => {
    await page.selectOption("#instruction-source", "help");
    await expectText(page.locator("#instructions-note"), /help table/);
    await page.click("#instruction-list button[data-opcode=PREHEAT]");
    const form = page.locator("form.instruction[data-opcode=PREHEAT]");
    assert.equal(await form.locator("label[for=field-temp]").textContent(), "TEMP (C, 50–400)");
    assert.equal(await form.locator("#field-temp").getAttribute("max"), "400");
    await form.locator("#field-temp").fill("350");
    await form.locator("#field-time").fill("20");
    await form.locator("button[type=submit]").click();
    const entry = delivery("PREHEAT 350 20");
    await entry.and(page.locator("[data-received=true][data-outcome=ok]")).waitFor();
    assert.equal(await entry.locator(".via").textContent(), "chat");
    assert.deepEqual(await entry.locator(".steps li.done").allTextContents(), ["sent", "received", "ok"]);
    assert.equal(await entry.locator(".result").textContent(), "ok: PREHEAT 350 20, for 20 min");
  });

  it("updates the state panel from presence: Preheat 350 C, … left", async () => {
    // The device sends at most one presence update every 10 s.
    await expectText(page.locator("#presence-status"), /^Preheat 350 C, \d+ min left$/).catch(async (error: Error) => {
      throw new Error(`${error.message}; presence shows: ${await page.textContent("#presence-status")}`);
    });
    assert.match((await page.locator(`li.device[data-jid="${microwave()}"] .status`).textContent()) ?? "", /^Preheat 350 C/);
  });

  it("help path: a bad value comes back as the device's error, received and nothing changed", async () => {
    const form = page.locator("form.instruction[data-opcode=PREHEAT]");
    await form.locator("#field-temp").fill("500");
    await form.locator("button[type=submit]").click();
    const entry = delivery("PREHEAT 500 20");
    await entry.and(page.locator("[data-received=true][data-outcome=error]")).waitFor();
    assert.equal(await entry.locator(".result").textContent(), "error: temp must be between 50 and 400 C, got 500");
  });

  it("ad-hoc path: the device's own PREHEAT form, submitted, completes with the result note", async () => {
    await page.selectOption("#instruction-source", "ad-hoc");
    await expectText(page.locator("#instructions-note"), /ad-hoc/);
    await page.click("#instruction-list button[data-opcode=PREHEAT]");
    const form = page.locator("form.instruction[data-opcode=PREHEAT]");
    await form.waitFor();
    assert.equal(await form.locator("label[for=field-temp]").textContent(), "TEMP (C, 50–400)");
    assert.equal(await form.locator("#field-temp").getAttribute("min"), "50");
    assert.equal(await form.locator("#field-temp").getAttribute("step"), "1");
    await form.locator("#field-temp").fill("350");
    await form.locator("#field-time").fill("20");
    await form.locator("button[type=submit]").click();
    const entry = page.locator("#delivery-log li.delivery").first();
    await entry.and(page.locator("[data-received=true][data-outcome=ok]")).waitFor();
    assert.equal(await entry.locator("code.command").textContent(), "PREHEAT 350 20");
    assert.equal(await entry.locator(".via").textContent(), "ad-hoc command");
    assert.equal(await entry.locator(".result").textContent(), "ok: PREHEAT 350 20, for 20 min");

    // The same form again, with a value out of range: a new session, the device's reason.
    await form.locator("#field-temp").fill("500");
    await form.locator("button[type=submit]").click();
    const newest = page.locator("#delivery-log li.delivery").first();
    await newest.and(page.locator("[data-outcome=error]")).filter({ hasText: "ad-hoc command" }).waitFor();
    assert.equal(await newest.locator("code.command").textContent(), "PREHEAT 500 20");
    assert.equal(await newest.locator(".result").textContent(), "error: temp must be between 50 and 400 C, got 500");
  });

  it("refreshes the status on demand into the state panel", async () => {
    await page.click("#refresh-status");
    await expectText(page.locator("#status-reply"), /Microwave: status[\s\S]*running: PREHEAT 350 20, \d+ min( \d+ s)? left/).catch(async (error: Error) => {
      throw new Error(`${error.message}; the state panel shows: ${await page.textContent("#status-reply")}`);
    });
  });

  it("chat view: status typed in goes out, is received, and the reply comes in", async () => {
    await page.fill("#chat-form input[name=text]", "status");
    await page.click("#chat-form button");
    await page.locator("#chat-log li.out[data-state=received]", { has: page.locator(".text", { hasText: /^status$/ }) }).last().waitFor();
    await page.locator("#chat-log li.in", { hasText: "Microwave: status" }).last().waitFor();
  });

  it("ad-hoc path: STOP, a command without operands, runs at once and is logged", async () => {
    await page.click("#instruction-list button[data-opcode=STOP]");
    const entry = delivery("STOP");
    await entry.and(page.locator("[data-outcome=ok]")).waitFor();
    assert.match((await entry.locator(".result").textContent()) ?? "", /^ok: STOP/);
    await expectText(page.locator("#presence-status"), /^idle$/);
    assert.deepEqual(pageProblems, []);
  });
});
