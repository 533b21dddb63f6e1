// The terminal controller's command line, settings, device names and `devices` output.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/app/config.js";
import { UsageError, parseCommandLine } from "../../hosts/node/controller/arguments.js";
import { formatJson, formatTable, type ContactRow } from "../../hosts/node/controller/device-table.js";
import { preferred } from "../../owner/presence-book.js";
import { readRosterItems } from "../../owner/roster.js";
import { readControllerSettings } from "../../hosts/node/controller/settings.js";
import { resolveDevice } from "../../hosts/node/controller/target.js";
import { parse } from "ltx";

describe("terminal controller: command line", () => {
  it("takes key=value settings anywhere and the rest as the command and its words", () => {
    const line = parseCommandLine(["jid=o@hub.test", "send", "microwave", "PREHEAT", "350", "ca=ca.pem", "20", "timeout=5"]);
    assert.equal(line.command, "send");
    assert.deepEqual(line.words, ["microwave", "PREHEAT", "350", "20"]);
    assert.deepEqual(line.settings, { jid: "o@hub.test", ca: "ca.pem", timeout: "5" });
    assert.equal(line.json, false);
    assert.equal(parseCommandLine(["devices", "--json"]).json, true);
    assert.deepEqual(parseCommandLine(["devices", "fleet-001"]).words, ["fleet-001"]);
  });

  for (const [argv, message] of [
    [[], /no command given/],
    [["list"], /unknown command "list"; the commands are devices, add, help, send/],
    [["devices", "xmpp_pasword=x"], /unknown key "xmpp_pasword" \(did you mean xmpp_password\?\); the keys are jid, xmpp_password, server, ca, timeout, wait/],
    [["devices", "microwave", "oven"], /devices takes at most one word \(text the JIDs listed contain\), got "microwave oven"/],
    [["help"], /help needs a device, e\.g\. help microwave/],
    [["help", "a", "b"], /help takes one device, got "a b"/],
    [["send", "microwave"], /send needs a command after the device, e\.g\. send microwave status/],
    [["send", "microwave", "STOP", "--json"], /--json goes with devices only/],
    [["devices", "--verbose"], /unknown option --verbose/],
  ] as const) {
    it(`refuses ${JSON.stringify(argv)}`, () => {
      assert.throws(() => parseCommandLine(argv), (error: unknown) => error instanceof UsageError && message.test(error.message));
    });
  }
});

describe("terminal controller: settings", () => {
  let dir: string;
  let ca: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-ctl-settings-"));
    ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(join(dir, "not.pem"), "hello");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const configError = (key: string, pattern: RegExp) => (error: unknown) => error instanceof ConfigError && error.key === key && pattern.test(error.message);

  it("reads the owner's account, adds a resource of its own, and defaults the server and time limits", () => {
    const settings = readControllerSettings({ jid: "Owner@hub.test", xmpp_password: "pw", ca }, "ctl-1");
    assert.equal(settings.jid.toString(), "owner@hub.test/ctl-1");
    assert.deepEqual(settings.server, { host: "hub.test", port: 5222 });
    assert.equal(settings.timeoutMs, 15_000);
    assert.equal(settings.waitMs, 3_000);
    const given = readControllerSettings({ jid: "owner@hub.test/laptop", xmpp_password: "pw", ca, server: "127.0.0.1:5333", timeout: "2.5", wait: "1" }, "ctl-1");
    assert.equal(given.jid.resource, "laptop");
    assert.deepEqual(given.server, { host: "127.0.0.1", port: 5333 });
    assert.equal(given.timeoutMs, 2500);
    assert.equal(given.waitMs, 1000);
  });

  it("names the key that is missing or wrong", () => {
    assert.throws(() => readControllerSettings({}, "r"), configError("jid", /missing: your \(the owner's\) JID, e\.g\. jid=owner@hub\.test/));
    assert.throws(() => readControllerSettings({ jid: "hub.test", xmpp_password: "pw", ca }, "r"), configError("jid", /has no local part/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", ca }, "r"), configError("xmpp_password", /missing/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", xmpp_password: "pw" }, "r"), configError("ca", /missing/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", xmpp_password: "pw", ca: join(dir, "absent.pem") }, "r"), configError("ca", /cannot read .*absent\.pem: ENOENT/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", xmpp_password: "pw", ca: join(dir, "not.pem") }, "r"), configError("ca", /holds no PEM certificate/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", xmpp_password: "pw", ca, server: "a:b:c" }, "r"), configError("server", /is not host or host:port/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", xmpp_password: "pw", ca, timeout: "0" }, "r"), configError("timeout", /"0" is not a number of seconds/));
    assert.throws(() => readControllerSettings({ jid: "o@hub.test", xmpp_password: "pw", ca, wait: "3s" }, "r"), configError("wait", /"3s" is not a number of seconds/));
  });

  it("resolves a device's name on the owner's domain, and takes bare and full JIDs as given", () => {
    assert.equal(resolveDevice("microwave", "hub.test").toString(), "microwave@hub.test");
    assert.equal(resolveDevice("Heater@Other.test", "hub.test").toString(), "heater@other.test");
    assert.equal(resolveDevice("microwave@hub.test/appliance", "hub.test").resource, "appliance");
    assert.throws(() => resolveDevice("two words", "hub.test"), (error: unknown) => error instanceof UsageError && /"two words" does not name a device/.test(error.message));
  });
});

describe("terminal controller: roster, presence and the devices table", () => {
  it("reads roster items: subscription, pending requests, removals", () => {
    const query = parse(
      `<query xmlns='jabber:iq:roster'><item jid='Microwave@hub.test' subscription='both'/><item jid='heater@hub.test' subscription='none' ask='subscribe'/><item jid='old@hub.test' subscription='remove'/><item jid='odd@hub.test' subscription='weird'/></query>`,
    );
    assert.deepEqual(readRosterItems(query), [
      { jid: "microwave@hub.test", name: "", subscription: "both", pending: false, removed: false },
      { jid: "heater@hub.test", name: "", subscription: "none", pending: true, removed: false },
      { jid: "old@hub.test", name: "", subscription: "none", pending: false, removed: true },
      { jid: "odd@hub.test", name: "", subscription: "none", pending: false, removed: false },
    ]);
  });

  it("prefers the resource of highest priority, then the one heard from last", () => {
    const resource = (jid: string, priority: number) => ({ jid, priority, status: "", show: "", caps: undefined });
    assert.equal(preferred([resource("a/1", 0), resource("a/2", 5), resource("a/3", 1)])?.jid, "a/2");
    assert.equal(preferred([resource("a/1", 0), resource("a/2", 0)])?.jid, "a/2");
    assert.equal(preferred([]), undefined);
  });

  const rows: ContactRow[] = [
    { jid: "microwave@hub.test", state: "online", commands: true, status: "Preheat 350 C,\t12 min\nleft" },
    { jid: "heater@hub.test", state: "pending", commands: false, status: "" },
  ];

  it("prints tab-separated lines under a header, each status on one line", () => {
    assert.equal(
      formatTable(rows, false),
      "JID\tSTATE\tCOMMANDS\tSTATUS\nmicrowave@hub.test\tonline\tcommands\tPreheat 350 C, 12 min left\nheater@hub.test\tpending\t-\t\n",
    );
  });

  it("pads the columns for a terminal, and prints JSON", () => {
    assert.equal(
      formatTable(rows, true),
      [
        "JID                 STATE    COMMANDS  STATUS",
        "microwave@hub.test  online   commands  Preheat 350 C, 12 min left",
        "heater@hub.test     pending  -",
        "",
      ].join("\n"),
    );
    assert.deepEqual(JSON.parse(formatJson(rows)), rows);
  });
});
