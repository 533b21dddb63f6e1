// `npm run bench:dashboard [-- --contacts 1000,5000] [--online 0] [--runs 3]`: the owner's tools
// with a large roster. Per roster size, a private hub (Prosody, WebSocket on) with that many device
// accounts in the owner's roster (written in bulk), the first --online of them logged in as one
// fleet process, the dashboard page in headless Chromium and `ctl devices` in this process: prints
// the time from the login click to the first page of the list (all online devices counted), the
// stanzas the page sent after login and how many went to devices, and the same for ctl devices.
// Everything started is stopped, also on failure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { listDevices } from "../hosts/node/controller/commands.js";
import { Session } from "../hosts/node/controller/session.js";
import { readControllerSettings } from "../hosts/node/controller/settings.js";
import { startDashboardServer } from "../hosts/node/dashboard/server.js";
import { fleetUsers } from "../hosts/node/hub/fleet-accounts.js";
import { type Hub, startHub } from "../hosts/node/hub/prosody.js";
import { projectRoot } from "../hosts/node/project.js";
import { launchChromium } from "../test/support/chromium.js";
import { microwaveManifest, type DeviceRun } from "../test/support/device-process.js";
import { runFleet, storeFleetAccounts, writeFleetHubFile } from "../test/support/fleet-process.js";
import { readNumberOptions } from "./number-options.js";

const OWNER = { user: "owner", password: "owner-secret" };
const MAX_CONTACTS = 20_000;
const STEP_TIMEOUT_MS = 120_000;

interface Options {
  contacts: number[];
  online: number;
  runs: number;
}

function parse(argv: readonly string[]): Options {
  const given = readNumberOptions(argv, ["--contacts", "--online", "--runs"], "usage: npm run bench:dashboard [-- --contacts 1000,5000] [--online 0] [--runs 3]");
  const options: Options = { contacts: given.get("--contacts") ?? [1000, 5000], online: given.get("--online")?.[0] ?? 0, runs: given.get("--runs")?.[0] ?? 3 };
  if (options.contacts.some((n) => n < options.online)) throw new Error("--online: at most as many as the smallest --contacts");
  if (options.runs < 1 || options.runs > 10) throw new Error("--runs: from 1 to 10");
  if (options.contacts.some((n) => n < 1 || n > MAX_CONTACTS)) throw new Error(`--contacts: from 1 to ${MAX_CONTACTS} each`);
  return options;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const isStanza = (frame: string) => /^<(iq|message|presence)\b/.test(frame);
const toDevice = (frame: string) => /\bto=["']fleet-\d+@/.test(frame);

interface Row {
  contacts: number;
  pageMs: number;
  pageStanzas: number;
  pageToDevices: number;
  ctlMs: number;
  ctlRequests: number;
}

async function measure(contacts: number, online: number, runs: number, scratch: string): Promise<Row> {
  const devices = fleetUsers(contacts);
  const accounts = devices.map((user) => ({ user, password: `${user}-secret` }));
  const dir = join(scratch, `hub-${contacts}`);
  let hub: Hub | undefined;
  let fleet: DeviceRun | undefined;
  const browser = await launchChromium(join(scratch, `profile-${contacts}`));
  try {
    hub = await startHub({ dir, c2sPort: 0, websocket: true, accounts: [OWNER, ...accounts], contacts: { owner: OWNER.user, devices } });
    if (online > 0) {
      writeFleetHubFile(dir, hub, OWNER.user);
      storeFleetAccounts(dir, accounts.slice(0, online));
      fleet = runFleet([microwaveManifest, "--count", String(online), "--hub", dir]);
      // A 5 logins/s floor, as bench:fleet budgets it.
      await fleet.waitFor(new RegExp(`fleet: ${online} of ${online} online in`), 60_000 + online * 200);
    }
    const summary = ` of ${contacts.toLocaleString("en")} contacts, ${online.toLocaleString("en")} online`;
    const login = { websocket: hub.websocketUrl!, domain: hub.domain, jid: `${OWNER.user}@${hub.domain}`, password: OWNER.password };
    const server = await startDashboardServer({ pageDir: join(projectRoot(), "build/web"), port: 0, login });
    const pageMs: number[] = [];
    let frames: string[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const page = await browser.newPage();
        page.setDefaultTimeout(STEP_TIMEOUT_MS);
        const sent: string[] = [];
        page.on("websocket", (socket) => socket.on("framesent", (frame) => sent.push(String(frame.payload))));
        await page.goto(server.url);
        const clicked = Date.now();
        await page.click("#login-form button");
        await page.locator("#device-summary", { hasText: summary }).waitFor();
        pageMs.push(Date.now() - clicked);
        // Whatever the page sends once the list is up, in the same time again.
        await page.waitForTimeout(Math.min(pageMs.at(-1)!, 2000));
        frames = sent.slice(sent.findIndex((frame) => frame.includes("urn:ietf:params:xml:ns:xmpp-bind")) + 1).filter(isStanza);
        await page.close();
      }
    } finally {
      await server.close();
    }
    const settings = readControllerSettings({ jid: login.jid, xmpp_password: OWNER.password, server: `${hub.host}:${hub.c2sPort}`, ca: hub.caPath, wait: "1" }, "bench");
    const ctlMs: number[] = [];
    let requests = 0;
    for (let run = 0; run < runs; run++) {
      const session = await Session.open(settings, (line) => console.error(`  ctl: ${line}`));
      const sent: Element[] = [];
      session.owner.xmpp.on("send", (element: Element) => sent.push(element));
      const started = Date.now();
      try {
        await listDevices(session, { out: () => {}, err: () => {} }, "tsv");
      } finally {
        await session.close();
      }
      ctlMs.push(Date.now() - started);
      requests = sent.length;
    }
    return { contacts, pageMs: median(pageMs), pageStanzas: frames.length, pageToDevices: frames.filter(toDevice).length, ctlMs: median(ctlMs), ctlRequests: requests };
  } finally {
    await browser.close().catch(() => undefined);
    await fleet?.stop();
    await hub?.stop();
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-bench-dashboard-"));
  const rows: Row[] = [];
  try {
    for (const contacts of options.contacts) {
      console.log(`${contacts} contacts, ${options.online} online: starting the hub${options.online > 0 ? " and the fleet" : ""}, measuring ${options.runs} runs…`);
      rows.push(await measure(contacts, options.online, options.runs, scratch));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const table = [
    ["contacts", "page ms", "page stanzas", "to devices", "ctl devices ms", "ctl requests"],
    ...rows.map((row) => [row.contacts, row.pageMs, row.pageStanzas, row.pageToDevices, row.ctlMs, row.ctlRequests].map(String)),
  ];
  console.log(`\nmedians of ${options.runs} runs, ${options.online} devices online; page ms: login click to the first page of the list;`);
  console.log("page stanzas: sent after resource binding (roster, presence...); ctl devices ms includes wait=1 s for presence");
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join("  "));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:dashboard: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
