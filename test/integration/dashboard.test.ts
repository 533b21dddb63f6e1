// The web dashboard end to end: a real hub serving WebSocket, the desktop microwave, the
// dashboard command, and Debian's Chromium (headless, via playwright-core) logging in as the
// owner, commanding the microwave through both instruction-set paths and watching delivery; its
// layout at desktop and phone width checked on the page and on the screenshots it takes.

import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { hubClient } from "../support/hub-client.js";
import { runDashboard, type DashboardRun } from "../support/dashboard-process.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const MICROWAVE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };
/** A person, not a device: never approves the owner's request unless the test makes it answer. */
const FRIEND = { user: "friend", password: "friend-secret" };

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const png = readFileSync(path);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("web dashboard in Chromium", function () {
  this.timeout(60_000);
  let scratch: string;
  let hub: Hub;
  let device: DeviceRun;
  let dashboard: DashboardRun;
  let browser: BrowserContext;
  let page: Page;
  let failed = false;
  let friend: Client | undefined;
  const pageProblems: string[] = [];

  before(async function () {
    this.timeout(90_000);
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-dashboard-"));
    // First, so that a machine without Chromium fails at once with the install line.
    browser = await launchChromium(join(scratch, "profile"));
    hub = await startTestHub([MICROWAVE, OWNER, FRIEND], { websocket: true });
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
    await friend?.stop().catch(() => undefined);
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
    // The list is drawn at most every 50 ms (device-list-view.ts), so it may show the change a little later.
    await expectText(page.locator(`li.device[data-jid="${microwave()}"] .status`), /^Preheat 350 C/);
  });

  it("help path: a value out of the form's range is marked on its field and not sent; typed in the chat, the device refuses it itself", async () => {
    const form = page.locator("form.instruction[data-opcode=PREHEAT]");
    const sent = await page.locator("#delivery-log li.delivery").count();
    await form.locator("#field-temp").fill("500");
    await form.locator("#field-time").fill("");
    await form.locator("button[type=submit]").click();
    assert.equal(await form.locator("#field-temp").getAttribute("aria-invalid"), "true");
    assert.equal(await form.locator("#field-temp-problem").textContent(), "TEMP (C, 50–400): 500 is out of range (from 50 to 400 C)");
    assert.equal(await form.locator("#field-time-problem").textContent(), "TIME (min, 1–120): required");
    assert.equal(await page.evaluate("document.activeElement.id"), "field-temp");
    assert.equal(await page.locator("#delivery-log li.delivery").count(), sent, "nothing was sent");
    // Text the number field cannot read is "not a number", not "required" (the field's value is "").
    await form.locator("#field-temp").fill("");
    await form.locator("#field-temp").pressSequentially("-");
    await form.locator("button[type=submit]").click();
    assert.equal(await form.locator("#field-temp-problem").textContent(), "TEMP (C, 50–400): not a number");
    // Changing the value clears its mark; the other field keeps its own.
    await form.locator("#field-temp").fill("400");
    assert.equal(await form.locator("#field-temp").getAttribute("aria-invalid"), null);
    assert.equal(await form.locator("#field-temp-problem").count(), 0);
    assert.equal(await form.locator("#field-time").getAttribute("aria-invalid"), "true");

    // The device is still the judge: the same command typed in the chat gets its own reason.
    await page.fill("#chat-form input[name=text]", "PREHEAT 500 20");
    await page.click("#chat-form button");
    await page.locator("#chat-log li.in", { hasText: "error: temp must be between 50 and 400 C, got 500" }).waitFor();
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

    // The same form again, with a value out of the device's own range: marked, not submitted.
    await form.locator("#field-temp").fill("500");
    await form.locator("button[type=submit]").click();
    assert.equal(await form.locator("#field-temp-problem").textContent(), "TEMP (C, 50–400): 500 is out of range (from 50 to 400)");
    assert.equal(await page.locator("#delivery-log li.delivery").first().locator("code.command").textContent(), "PREHEAT 350 20");
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

  it("chat hints come from the device's instruction set, and a hint fills the message in", async () => {
    await page.locator("#chat-hints button.hint", { hasText: "PREHEAT 350 20" }).waitFor();
    assert.deepEqual(await page.locator("#chat-hints button.hint").allTextContents(), ["help", "status", "PREHEAT 350 20", "GRILL 15", "STOP"]);
    assert.equal(await page.getAttribute("#chat-form input[name=text]", "placeholder"), "e.g. PREHEAT 350 20");
    assert.deepEqual(await page.locator("#chat-suggestions option").evaluateAll((options) => options.map((o) => o.getAttribute("value"))), ["help", "status", "PREHEAT 350 20", "GRILL 15", "STOP"]);
    await page.click("#chat-hints button.hint >> text=GRILL 15");
    assert.equal(await page.inputValue("#chat-form input[name=text]"), "GRILL 15");
    await page.fill("#chat-form input[name=text]", "");
  });

  it("ad-hoc path: STOP, a command without operands, runs at once and is logged; the status box follows the presence", async () => {
    await expectText(page.locator("#status-reply"), /running: PREHEAT/);
    await page.click("#instruction-list button[data-opcode=STOP]");
    const entry = delivery("STOP");
    await entry.and(page.locator("[data-outcome=ok]")).waitFor();
    assert.match((await entry.locator(".result").textContent()) ?? "", /^ok: STOP/);
    await expectText(page.locator("#presence-status"), /^idle$/);
    // The presence changed after the last status reply: the panel asked again by itself.
    // The page's own code runs this (the tests have no DOM types): a string, not a function.
    await page.waitForFunction(`(() => {
      const text = document.querySelector("#status-reply").textContent;
      return /\\(asked again: its presence changed\\) Microwave: status/.test(text) && !/running: PREHEAT/.test(text);
    })()`).catch(async (error: Error) => {
      throw new Error(`${error.message}; the state panel shows: ${await page.textContent("#status-reply")}`);
    });
    assert.equal(await page.getAttribute("#status-reply", "data-stale"), "false");
    assert.deepEqual(pageProblems, []);
  });

  /** Checks the layout at the current width: nothing wider than the window, `box` wholly on screen; returns the screenshot's path. */
  async function checkLayout(name: string, box: Locator): Promise<string> {
    const { width, height } = page.viewportSize()!;
    const widths = await page.evaluate<{ scroll: number; client: number }>("({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })");
    assert.ok(widths.scroll <= widths.client, `${name}: the page is ${widths.scroll} px wide in a ${widths.client} px window (horizontal scroll)`);
    const bounds = (await box.boundingBox())!;
    assert.ok(bounds !== null, `${name}: not shown`);
    // Within a pixel: scrolled into view, an edge may fall on a fraction of one.
    assert.ok(bounds.x >= -1 && bounds.x + bounds.width <= width + 1 && bounds.y >= -1 && bounds.y + bounds.height <= height + 1,
      `${name}: ${JSON.stringify(bounds)} is not inside the ${width}×${height} viewport`);
    const shot = join(scratch, `layout-${name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    // A full-page screenshot is as wide as the page: wider than the window means sideways scrolling.
    assert.equal(pngSize(shot).width, width, `${name}: the screenshot is wider than the window`);
    const keep = process.env.DASHBOARD_SCREENSHOTS;
    if (keep !== undefined && keep !== "") {
      mkdirSync(keep, { recursive: true });
      await page.screenshot({ path: join(keep, `dashboard-${name}.png`), fullPage: true });
    }
    return shot;
  }

  it("at desktop width: two columns, the form on screen, no horizontal scroll", async () => {
    await page.click("#instruction-list button[data-opcode=PREHEAT]");
    const form = page.locator("form.instruction[data-opcode=PREHEAT]");
    await form.waitFor();
    const devices = (await page.locator("#devices").boundingBox())!;
    const panel = (await page.locator("#device-view").boundingBox())!;
    assert.ok(devices.x + devices.width <= panel.x, "the device panel is beside the list");
    await checkLayout("desktop-1280", form);
  });

  it("at phone width (390 px): no horizontal scroll, the list then the device on screen, the form visible", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.click("#back-to-devices");
      await page.locator("#device-list").waitFor({ state: "visible" });
      await checkLayout("phone-390-list", page.locator(`li.device[data-jid="${microwave()}"]`));
      await page.click(`li.device[data-jid="${microwave()}"] button`);
      assert.equal(await page.locator("#devices").isVisible(), false, "the list gives the phone's width to the device");
      await checkLayout("phone-390-device", page.locator("#device-title"));
      await page.click("#instruction-list button[data-opcode=PREHEAT]");
      const form = page.locator("form.instruction[data-opcode=PREHEAT]");
      await form.waitFor();
      await checkLayout("phone-390", form);
      // The field's mark fits too.
      await form.locator("#field-temp").fill("5000");
      await form.locator("button[type=submit]").click();
      await form.locator("#field-temp-problem").waitFor();
      await checkLayout("phone-390-invalid", form.locator("#field-temp-problem"));
    } finally {
      await page.setViewportSize({ width: 1280, height: 1000 });
    }
  });

  it("matches receipts by id and replies by thread, also when the other side answers out of order", async () => {
    friend = hubClient(hub, FRIEND, { resource: "phone" });
    friend.on("error", () => {});
    const received: Element[] = [];
    friend.on("stanza", (stanza: Element) => stanza.is("message") && stanza.getChild("body") !== undefined && received.push(stanza));
    await friend.start();
    // Available, so that the hub delivers messages to the bare JID to it.
    await friend.send(xml("presence", {}));
    await page.fill("#add-device input[name=jid]", `${FRIEND.user}@${hub.domain}`);
    await page.click("#add-device button");
    await expectText(page.locator("#device-title"), new RegExp(`${FRIEND.user}@`));
    for (const text of ["one", "two"]) {
      await page.fill("#chat-form input[name=text]", text);
      await page.click("#chat-form button");
    }
    for (let wait = 0; wait < 100 && received.length < 2; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(received.map((message) => message.getChildText("body")), ["one", "two"]);
    const [one, two] = received as [Element, Element];
    const line = (text: string) => page.locator("#chat-log li.out", { has: page.locator(".text", { hasText: new RegExp(`^${text}$`) }) });
    // The second is acknowledged first: only it is marked received.
    const receipt = (message: Element) => xml("message", { to: String(message.attrs.from), id: `r-${String(message.attrs.id)}` }, xml("received", { xmlns: "urn:xmpp:receipts", id: String(message.attrs.id) }));
    await friend.send(receipt(two));
    await line("two").and(page.locator("[data-state=received]")).waitFor();
    assert.equal(await line("one").getAttribute("data-state"), "sent");
    await friend.send(receipt(one));
    await line("one").and(page.locator("[data-state=received]")).waitFor();
    // Replies in the other order too: each is shown as the answer to its own message, by thread.
    const reply = (message: Element, text: string) =>
      xml("message", { to: String(message.attrs.from), type: "chat" }, xml("body", {}, text), xml("thread", {}, message.getChildText("thread")!));
    await friend.send(reply(two, "answer to two"));
    await friend.send(reply(one, "answer to one"));
    await page.locator("#chat-log li.in", { hasText: "answer to one" }).waitFor();
    assert.deepEqual(await page.locator("#chat-log li.in").evaluateAll((items) => items.map((item) => [item.querySelector(".answers")?.textContent, item.querySelector(".text")?.textContent])),
      [["re: two", "answer to two"], ["re: one", "answer to one"]]);
  });

  it("a contact that never approves shows pending, and can be removed", async () => {
    const entry = page.locator(`li.device[data-jid="${FRIEND.user}@${hub.domain}"]`);
    await entry.and(page.locator("[data-state=pending]")).waitFor();
    assert.equal(await entry.locator(".status").textContent(), "waiting for the contact to approve");
    // Not a device: no hints to offer.
    assert.equal(await page.locator("#chat-hints button.hint").count(), 0);
    assert.equal(await page.getAttribute("#chat-form input[name=text]", "placeholder"), `a message to ${FRIEND.user}@${hub.domain}`);
    await page.click("#remove-contact");
    await entry.waitFor({ state: "detached" });
    await expectText(page.locator("#no-device"), new RegExp(`^Removed ${FRIEND.user}@${hub.domain} from your contacts`));
    assert.equal(await page.locator("#device-view").isVisible(), false);
    // The hub dropped it from the owner's roster, not only the page: another login of the owner sees only the microwave.
    const check = hubClient(hub, OWNER, { resource: "check" });
    check.on("error", () => {});
    try {
      await check.start();
      const roster = (await check.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })))).getChild("query")!;
      assert.deepEqual(roster.getChildren("item").map((item) => item.attrs.jid), [microwave()]);
    } finally {
      await check.stop().catch(() => undefined);
    }
    assert.equal(await page.locator(`li.device[data-jid="${microwave()}"]`).count(), 1);
    assert.deepEqual(pageProblems, []);
  });
});
