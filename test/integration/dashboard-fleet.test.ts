// A thousand devices in the owner's roster (the hub writes the rosters in bulk, ten of them online
// in one fleet process): the dashboard in Chromium loads a page of the list from presence alone,
// sends no request per device (the stanzas it sends are counted), finds a device by the filter;
// and `ctl devices` counts the same way. The load time is printed, not asserted.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { Element } from "ltx";
import { listDevices } from "../../hosts/node/controller/commands.js";
import { Session } from "../../hosts/node/controller/session.js";
import { readControllerSettings } from "../../hosts/node/controller/settings.js";
import { fleetUser, fleetUsers } from "../../hosts/node/hub/fleet-accounts.js";
import { launchChromium } from "../support/chromium.js";
import { runDashboard, type DashboardRun } from "../support/dashboard-process.js";
import { microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { runFleet, storeFleetAccounts, writeFleetHubFile } from "../support/fleet-process.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const OWNER = { user: "owner", password: "owner-secret" };
const DEVICES = 1000;
const ONLINE = 10;

/** The stanzas among the WebSocket frames the page sent (RFC 7395: one per frame). */
function stanzas(frames: readonly string[]): string[] {
  return frames.filter((frame) => /^<(iq|message|presence)\b/.test(frame));
}

/** The stanzas addressed to one of the fleet's devices. */
function toDevices(frames: readonly string[]): string[] {
  return stanzas(frames).filter((frame) => /\bto=["']fleet-\d+@/.test(frame));
}

describe(`dashboard and ctl devices with ${DEVICES.toLocaleString("en")} devices in the roster`, function () {
  this.timeout(120_000);
  const members = fleetUsers(DEVICES).map((user) => ({ user, password: `${user}-secret` }));
  let scratch: string;
  let hub: Hub;
  let fleet: DeviceRun | undefined;
  let dashboard: DashboardRun | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  const sent: string[] = [];

  before(async function () {
    this.timeout(240_000);
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-dashboard-fleet-"));
    browser = await launchChromium(join(scratch, "profile"));
    const started = Date.now();
    hub = await startTestHub([OWNER, ...members], { websocket: true, contacts: { owner: OWNER.user, devices: members.map(({ user }) => user) } });
    console.log(`      hub with ${DEVICES + 1} accounts and the rosters: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    writeFleetHubFile(scratch, hub, OWNER.user);
    storeFleetAccounts(scratch, members.slice(0, ONLINE));
    fleet = runFleet([microwaveManifest, "--count", String(ONLINE), "--hub", scratch, "--rate", "20"]);
    await fleet.waitFor(new RegExp(`fleet: ${ONLINE} of ${ONLINE} online in`), 180_000);
    dashboard = await runDashboard([`websocket=${hub.websocketUrl}`, `jid=${OWNER.user}@${hub.domain}`, `xmpp_password=${OWNER.password}`]);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(30_000);
    page.on("websocket", (socket) => socket.on("framesent", (frame) => sent.push(String(frame.payload))));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await dashboard?.stop();
    await fleet?.stop();
    await hub?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it("the dashboard loads the first page from presence, with one disco#info for the ten online devices' shared caps", async () => {
    await page.goto(dashboard!.url);
    const clicked = Date.now();
    await page.click("#login-form button");
    await page.locator("#device-summary", { hasText: `1–50 of 1,000 contacts, ${ONLINE} online` }).waitFor();
    await page.locator(`#device-list li.device[data-state=online][data-commands=true]`).nth(ONLINE - 1).waitFor();
    const loaded = Date.now() - clicked;
    console.log(`      login to the first page with ${DEVICES} contacts, ${ONLINE} online: ${loaded} ms (shared machine; a figure, not a limit)`);
    assert.equal(await page.locator("#device-list li.device").count(), 50);
    assert.equal(await page.locator("#device-list li.device[data-state=online]").count(), ONLINE);
    assert.equal(await page.locator("#device-list li.device[data-state=offline]").count(), 50 - ONLINE);

    const out = stanzas(sent);
    // Logging in (bind), the roster, initial presence, and one disco#info for the caps ver they share.
    const perDevice = toDevices(sent);
    assert.equal(perDevice.length, 1, `stanzas to devices at load:\n${perDevice.join("\n")}`);
    assert.match(perDevice[0]!, /http:\/\/jabber\.org\/protocol\/disco#info/);
    assert.equal(out.filter((frame) => frame.startsWith("<message")).length, 0, "no message at load");
    assert.ok(out.length <= 5, `the page sent ${out.length} stanzas at load:\n${out.join("\n")}`);
  });

  it("turns to the next page (offline devices: nothing asked) and finds a device by the filter", async () => {
    const before = sent.length;
    await page.click("#page-next");
    await page.locator("#device-summary", { hasText: "51–100 of 1,000 contacts" }).waitFor();
    assert.equal(await page.locator("#device-list li.device").first().getAttribute("data-jid"), `${fleetUser(51)}@${hub.domain}`);
    await page.fill("#device-filter", "fleet-00777");
    await page.locator("#device-summary", { hasText: '1 of 1 matching "fleet-00777"' }).waitFor();
    assert.deepEqual(await page.locator("#device-list li.device").evaluateAll((items) => items.map((item) => item.getAttribute("data-jid"))), [`${fleetUser(777)}@${hub.domain}`]);
    await page.click(`li.device[data-jid="${fleetUser(777)}@${hub.domain}"] button`);
    await page.locator("#presence-status", { hasText: "offline" }).waitFor();
    assert.deepEqual(stanzas(sent.slice(before)), [], "paging, filtering and showing an offline device ask nothing");
  });

  it("asks a shown online device for its commands only when it is selected", async () => {
    await page.fill("#device-filter", fleetUser(3));
    const device = `${fleetUser(3)}@${hub.domain}`;
    const before = sent.length;
    await page.click(`li.device[data-jid="${device}"] button`);
    await page.locator("#instruction-list button[data-opcode=PREHEAT]").waitFor();
    const asked = toDevices(sent.slice(before));
    assert.ok(asked.length > 0 && asked.every((frame) => frame.includes(`to="${device}/`) || frame.includes(`to='${device}/`)), `requests went elsewhere:\n${asked.join("\n")}`);
  });

  it("ctl devices lists all thousand from presence: one disco#info for the online ones' caps, nothing else per device", async () => {
    const settings = readControllerSettings({ jid: `${OWNER.user}@${hub.domain}`, xmpp_password: OWNER.password, server: `${hub.host}:${hub.c2sPort}`, ca: hub.caPath, wait: "1" }, "ctl-test");
    const session = await Session.open(settings, () => {});
    const requests: Element[] = [];
    session.owner.xmpp.on("send", (element: Element) => requests.push(element));
    let out = "";
    try {
      const started = Date.now();
      const code = await listDevices(session, { out: (text) => (out += text), err: () => {} }, "tsv");
      console.log(`      ctl devices with ${DEVICES} contacts: ${Date.now() - started} ms after login, of which up to wait=1 s for the offline ones (shared machine)`);
      assert.equal(code, 0);
    } finally {
      await session.close();
    }
    // Not trimmed: an offline device's line ends in the empty STATUS column's tab.
    const lines = out.replace(/\n$/, "").split("\n");
    assert.equal(lines.length, DEVICES + 1);
    assert.equal(lines.filter((line) => /\tonline\tcommands\t/.test(line)).length, ONLINE);
    const others = lines.slice(1).filter((line) => !/\tonline\tcommands\t/.test(line) && !/\toffline\t-\t/.test(line));
    assert.deepEqual(others, [], "every other device offline");
    assert.deepEqual(requests.map((element) => `${element.name} ${element.getChildElements()[0]?.attrs.xmlns ?? ""}`), ["iq http://jabber.org/protocol/disco#info"]);
  });
});
