// The terminal controller (npm run ctl) against a real Prosody and a real ejabberd: the desktop microwave and a few
// @xmpp/client contacts stand in for devices; each run's stdout, stderr and exit code are checked.

import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { ctlSettings, runCtl } from "../support/ctl-process.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { HUB_SERVERS, startTestHub, type Hub } from "../support/prosody.js";

const OWNER = { user: "owner", password: "owner-secret" };
const STRANGER = { user: "stranger", password: "stranger-secret" };
const MICROWAVE = { user: "microwave", password: "microwave-secret" };
const RELAYBOARD = { user: "relayboard", password: "relayboard-secret" };
const MUTE = { user: "mute", password: "mute-secret" };
const GADGETS = [1, 2].map((n) => ({ user: `gadget${n}`, password: `gadget${n}-secret` }));
// Sorted before the gadgets, so that its disco#info is asked first.
const FAKE = { user: "fake", password: "fake-secret" };

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NODE = "https://example.org/gadget";
// XEP-0115 §5.1's S for the gadgets' identity and features, written out by hand.
const GADGET_VER = createHash("sha1").update(`client/bot//Gadget<${NS_COMMANDS}<${NS_DISCO_INFO}<`).digest("base64");

interface Contact {
  client: Client;
  /** How many disco#info queries it answered. */
  discoQueries: number;
}

/** An @xmpp/client account that approves subscriptions, stays online, and answers as `options` say. */
async function startContact(hub: Hub, account: { user: string; password: string }, options: { caps?: string; features?: string[]; reply?: (body: string) => string | undefined } = {}): Promise<Contact> {
  const client = hubClient(hub, account, { resource: "gadget" });
  const contact: Contact = { client, discoQueries: 0 };
  client.on("error", () => {});
  client.on("stanza", (stanza: Element) => {
    if (stanza.is("presence") && stanza.attrs.type === "subscribe") void client.send(xml("presence", { to: stanza.attrs.from, type: "subscribed" }));
    const body = stanza.is("message") ? stanza.getChildText("body") : null;
    const answer = body === null ? undefined : options.reply?.(body);
    if (answer !== undefined) void client.send(xml("message", { type: "chat", to: stanza.attrs.from, id: "r" }, xml("body", {}, answer), xml("thread", {}, stanza.getChildText("thread") ?? "")));
  });
  if (options.caps !== undefined) {
    client.iqCallee.get(NS_DISCO_INFO, "query", ({ element }) => {
      contact.discoQueries++;
      return xml(
        "query",
        { xmlns: NS_DISCO_INFO, node: element.attrs.node },
        xml("identity", { category: "client", type: "bot", name: "Gadget" }),
        ...(options.features ?? [NS_DISCO_INFO, NS_COMMANDS]).map((feature) => xml("feature", { var: feature })),
      );
    });
  }
  await client.start();
  await client.send(xml("presence", {}, xml("status", {}, "standing by"), ...(options.caps !== undefined ? [xml("c", { xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: NODE, ver: options.caps })] : [])));
  return contact;
}

/** The `devices` table as rows of cells, header first. */
function table(stdout: string): string[][] {
  return stdout.split("\n").filter((line) => line !== "").map((line) => line.split("\t"));
}

for (const server of HUB_SERVERS) describe(`terminal controller (npm run ctl) on ${server}`, function () {
  this.timeout(90_000);
  let hub: Hub;
  let microwave: DeviceRun;
  let relayboard: DeviceRun;
  let owner: string[];
  let scratch: string;
  const contacts: Contact[] = [];

  before(async () => {
    hub = await startTestHub([OWNER, STRANGER, MICROWAVE, RELAYBOARD, MUTE, ...GADGETS, FAKE], { server });
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-ctl-"));
    owner = ctlSettings(hub, OWNER);
    microwave = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
    relayboard = runDevice(new URL("../../../devices/relayboard/manifest.json", import.meta.url).pathname, deviceSettings(hub, RELAYBOARD, OWNER.user));
    await microwave.waitFor(/online\s+\S+/);
    await relayboard.waitFor(/online\s+\S+/);
  });

  after(async () => {
    for (const { client } of contacts) await client.stop().catch(() => {});
    await microwave?.stop();
    await relayboard?.stop();
    await hub?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  describe("settings and login", () => {
    it("exits 2 naming a missing key, before it connects", async () => {
      const run = await runCtl(["devices", `jid=owner@${hub.domain}`, `server=${hub.host}:${hub.c2sPort}`, `ca=${hub.caPath}`]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^error: config key "xmpp_password": missing: the owner account's password, e\.g\. xmpp_password=secret\n$/);
      assert.equal(run.stdout, "");
    });

    it("exits 2 on an unknown key, an unknown command or a missing device, with the usage", async () => {
      const typo = await runCtl(["devices", ...owner, "timout=3"]);
      assert.equal(typo.code, 2);
      assert.match(typo.stderr, /unknown key "timout" \(did you mean timeout\?\)/);
      assert.match(typo.stderr, /usage: npm run ctl -- <command>/);
      const unknown = await runCtl(["list", ...owner]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown command "list"; the commands are devices, add, help, send/);
      const noDevice = await runCtl(["send", ...owner]);
      assert.equal(noDevice.code, 2);
      assert.match(noDevice.stderr, /send needs a device/);
    });

    it("exits 5 with what to check when the password is wrong", async () => {
      const run = await runCtl(["devices", ...ctlSettings(hub, { ...OWNER, password: "wrong" })]);
      assert.equal(run.code, 5);
      assert.match(run.stderr, /^error: the hub refused the credentials of owner@hub\.test \(not-authorized\); check jid and xmpp_password\n$/);
      assert.equal(run.stdout, "");
    });

    it("exits 5 when the server's certificate is not signed by the given CA", async () => {
      const otherCa = join(scratch, "other-ca.pem");
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(scratch, "other-ca.key"), "-out", otherCa, "-days", "1", "-subj", "/CN=Other CA"], { stdio: "ignore" });
      const run = await runCtl(["devices", ...ctlSettings(hub, OWNER, { ca: otherCa })]);
      assert.equal(run.code, 5);
      assert.match(run.stderr, /the server's certificate is not signed by ca=.*other-ca\.pem/);
    });

    it("exits 5 when nothing listens at server=", async () => {
      const run = await runCtl(["devices", ...ctlSettings(hub, OWNER, { server: `${hub.host}:1` })]);
      assert.equal(run.code, 5);
      assert.match(run.stderr, /cannot connect to 127\.0\.0\.1:1: connection refused; is the hub running/);
    });
  });

  describe("the microwave", () => {
    it("add subscribes to its presence (the device approves its owner), once", async () => {
      const first = await runCtl(["add", "microwave", ...owner]);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, "microwave@hub.test: subscribed\n");
      const again = await runCtl(["add", "microwave@hub.test", ...owner]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, "microwave@hub.test: subscribed already\n");
    });

    it("devices lists it online with its status, tab-separated under a header", async () => {
      const run = await runCtl(["devices", ...owner]);
      assert.equal(run.code, 0, run.stderr);
      const rows = table(run.stdout);
      assert.deepEqual(rows[0], ["JID", "STATE", "COMMANDS", "STATUS"]);
      const row = rows.find((cells) => cells[0] === "microwave@hub.test");
      assert.ok(row, run.stdout);
      assert.equal(row[1], "online");
      assert.match(row[2]!, /^(commands|-)$/);
      assert.equal(row[3], "idle");
    });

    it("help prints its instruction set and exits 0", async () => {
      const run = await runCtl(["help", "microwave", ...owner]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Microwave: commands\n/);
      assert.match(run.stdout, /\| PREHEAT \| TEMP \(C, 50–400\) \| TIME \(min, 1–120\) \| PREHEAT 350 20\n/);
      assert.match(run.stderr, /delivered: microwave@hub\.test\/appliance acknowledged "help"/);
    });

    it(`send PREHEAT 350 20 prints "ok: ..." and exits 0, after the oven's pin moved`, async () => {
      const from = microwave.output().length;
      const run = await runCtl(["send", "microwave", "PREHEAT", "350", "20", ...owner]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "ok: PREHEAT 350 20, for 20 min\n");
      assert.match(microwave.output().slice(from), /pin\s+25 \(oven\) -> 1/);
    });

    it("send PREHEAT 500 20 prints the device's error and exits 1", async () => {
      const run = await runCtl(["send", "microwave@hub.test", "PREHEAT", "500", "20", ...owner]);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, "error: temp must be between 50 and 400 C, got 500\n");
    });

    it("send to its full JID works too (STOP)", async () => {
      const run = await runCtl(["send", "microwave@hub.test/appliance", "STOP", ...owner]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ok: STOP/);
    });

    it("a stranger's add is refused by the device: exit 1", async () => {
      const run = await runCtl(["add", "microwave", ...ctlSettings(hub, STRANGER, { timeout: "5" })]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /microwave@hub\.test refused the subscription; a device approves its owners only: is stranger@hub\.test in its owner= setting\?/);
    });
  });

  describe("offline and silent devices", () => {
    it("exits 4 for a device that went offline, and devices shows it offline", async () => {
      const added = await runCtl(["add", "relayboard", ...owner]);
      assert.equal(added.code, 0, added.stderr);
      await relayboard.stop();
      const run = await runCtl(["send", "relayboard", "UP", "2", ...owner, "wait=1"]);
      assert.equal(run.code, 4);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /^error: relayboard@hub\.test is offline \(no presence within 1 s\)\n$/);
      const devices = await runCtl(["devices", ...owner, "wait=1"]);
      assert.deepEqual(table(devices.stdout).find((cells) => cells[0] === "relayboard@hub.test"), ["relayboard@hub.test", "offline", "-", ""]);
    });

    it("exits 4 for a device not in the roster, saying to add it", async () => {
      const run = await runCtl(["help", "heater", ...owner]);
      assert.equal(run.code, 4);
      assert.match(run.stderr, /cannot tell whether heater@hub\.test is online: you are not subscribed to its presence; run npm run ctl -- add heater@hub\.test once/);
    });

    it("exits 3 when no reply comes within timeout=, and when a reply comes without a receipt", async () => {
      contacts.push(await startContact(hub, MUTE, { reply: (body) => (body === "ECHO" ? "echo" : undefined) }));
      assert.equal((await runCtl(["add", "mute", ...owner])).code, 0);
      const silent = await runCtl(["send", "mute", "PING", ...owner, "timeout=1"]);
      assert.equal(silent.code, 3, silent.stderr);
      assert.match(silent.stderr, /^error: no reply from mute@hub\.test\/gadget within 1 s\n$/);
      const noReceipt = await runCtl(["send", "mute", "ECHO", ...owner, "timeout=1"]);
      assert.equal(noReceipt.code, 3);
      assert.equal(noReceipt.stdout, "echo\n");
      assert.match(noReceipt.stderr, /mute@hub\.test\/gadget replied but sent no receipt within 1 s/);
    });
  });

  describe("devices with commands (entity capabilities)", () => {
    it("marks contacts whose disco#info lists ad-hoc commands, asking once per caps version, and --json says the same", async () => {
      for (const gadget of GADGETS) contacts.push(await startContact(hub, gadget, { caps: GADGET_VER }));
      for (const gadget of GADGETS) assert.equal((await runCtl(["add", gadget.user, ...owner])).code, 0);
      const queriesBefore = contacts.slice(-2).reduce((sum, contact) => sum + contact.discoQueries, 0);
      const run = await runCtl(["devices", ...owner, "wait=1"]);
      assert.equal(run.code, 0, run.stderr);
      const rows = table(run.stdout);
      for (const gadget of GADGETS) assert.deepEqual(rows.find((cells) => cells[0] === `${gadget.user}@hub.test`), [`${gadget.user}@hub.test`, "online", "commands", "standing by"]);
      assert.deepEqual(rows.find((cells) => cells[0] === "mute@hub.test"), ["mute@hub.test", "online", "-", "standing by"]);
      const queries = contacts.slice(-2).reduce((sum, contact) => sum + contact.discoQueries, 0) - queriesBefore;
      assert.equal(queries, 1, "two contacts with one caps ver: one disco#info query");

      const json = await runCtl(["devices", "--json", ...owner, "wait=1"]);
      assert.equal(json.code, 0, json.stderr);
      const listed = JSON.parse(json.stdout) as Array<{ jid: string; state: string; commands: boolean; status: string }>;
      assert.deepEqual(listed.find((contact) => contact.jid === "gadget1@hub.test"), { jid: "gadget1@hub.test", state: "online", commands: true, status: "standing by" });
    });

    it("lists only the contacts whose JID contains the text given, saying how many of all", async () => {
      const run = await runCtl(["devices", "GADGET", ...owner, "wait=1"]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(table(run.stdout).map((cells) => cells[0]).filter((jid) => jid !== "JID").sort(), GADGETS.map(({ user }) => `${user}@hub.test`));
      assert.match(run.stderr, /^2 of \d+ contacts contain "GADGET"$/m);
    });

    it("does not take an answer that does not hash to the advertised ver as the answer of others with that ver, and warns", async () => {
      // The fake claims the gadgets' ver but lists no commands: believed, its answer would mark them "-" too.
      contacts.push(await startContact(hub, FAKE, { caps: GADGET_VER, features: [NS_DISCO_INFO] }));
      assert.equal((await runCtl(["add", "fake", ...owner])).code, 0);
      const run = await runCtl(["devices", ...owner, "wait=1"]);
      assert.equal(run.code, 0, run.stderr);
      const rows = table(run.stdout);
      assert.deepEqual(rows.find((cells) => cells[0] === "fake@hub.test")?.slice(1, 3), ["online", "-"]);
      for (const gadget of GADGETS) assert.deepEqual(rows.find((cells) => cells[0] === `${gadget.user}@hub.test`)?.slice(1, 3), ["online", "commands"]);
      assert.match(run.stderr, /fake@hub\.test\/gadget: its disco#info does not hash to its caps ver/);
    });
  });
});
