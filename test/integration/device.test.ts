// The desktop device command against a real Prosody and a real ejabberd: STARTTLS and SCRAM login, disco#info, ping
// and receipts for an owner on @xmpp/client, and clear failures for a wrong CA or password.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strict as assert } from "node:assert";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { HUB_SERVERS, startTestHub, type Hub } from "../support/prosody.js";
import { hubClient } from "../support/hub-client.js";
import { deviceSettings, microwaveManifest, runDevice as runProcess, type DeviceRun } from "../support/device-process.js";

const DEVICE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };

const runDevice = (args: string[]): DeviceRun => runProcess(microwaveManifest, args);
const settings = (hub: Hub, overrides: Record<string, string> = {}) => deviceSettings(hub, DEVICE, OWNER.user, overrides);
const stopDevice = (run: DeviceRun) => run.stop();

for (const server of HUB_SERVERS) describe(`desktop device against ${server}`, function () {
  this.timeout(60_000);
  let hub: Hub;
  let scratch: string;

  before(async () => {
    hub = await startTestHub([DEVICE, OWNER], { server });
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-device-"));
  });

  after(async () => {
    await hub?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe("logged in", () => {
    let device: DeviceRun;
    let owner: Client;
    const received: Element[] = [];

    before(async () => {
      device = runDevice(settings(hub));
      await device.waitFor(/online\s+\S+/);
      owner = hubClient(hub, OWNER, { resource: "console" });
      owner.on("stanza", (stanza: Element) => {
        if (stanza.is("message")) received.push(stanza);
      });
      await owner.start();
    });

    after(async () => {
      await owner?.stop().catch(() => {});
      if (device) await stopDevice(device);
    });

    it("logs one line per step: connecting, TLS up, authenticated with SCRAM, bound, online", () => {
      const log = device.output();
      const steps = ["connecting", "connected", "secure", "authenticated", "bound", "online"];
      let at = -1;
      for (const step of steps) {
        const next = log.indexOf(` ${step} `, at + 1);
        assert.ok(next > at, `"${step}" after the previous step in:\n${log}`);
        at = next;
      }
      assert.match(log, /authenticated\s+SCRAM-SHA-(1|256)/);
      assert.match(log, new RegExp(`bound\\s+${DEVICE.user}@${hub.domain.replace(/\./g, "\\.")}/appliance`));
    });

    it("answers disco#info with its identity and the features it implements", async () => {
      const to = `${DEVICE.user}@${hub.domain}/appliance`;
      const result = await owner.iqCaller.request(xml("iq", { type: "get", to }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })));
      const query = result.getChild("query", "http://jabber.org/protocol/disco#info");
      assert.ok(query, "a disco#info query in the result");
      assert.ok(query.getChild("identity"), "an identity");
      const features = query.getChildren("feature").map((feature: Element) => feature.attrs.var);
      for (const feature of ["urn:xmpp:ping", "urn:xmpp:receipts", "http://jabber.org/protocol/disco#info"]) {
        assert.ok(features.includes(feature), `${feature} in ${features.join(", ")}`);
      }
    });

    it("answers a ping", async () => {
      const to = `${DEVICE.user}@${hub.domain}/appliance`;
      const result = await owner.iqCaller.request(xml("iq", { type: "get", to }, xml("ping", { xmlns: "urn:xmpp:ping" })));
      assert.equal(result.attrs.type, "result");
      assert.equal(result.attrs.from, to);
    });

    it("replies to a chat message and then sends the receipt for it", async () => {
      const to = `${DEVICE.user}@${hub.domain}/appliance`;
      received.length = 0;
      await owner.send(xml("message", { type: "chat", to, id: "receipt-1" }, xml("body", {}, "help"), xml("request", { xmlns: "urn:xmpp:receipts" })));
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !received.some((m) => m.getChild("received", "urn:xmpp:receipts"))) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const replyAt = received.findIndex((m) => m.getChild("body"));
      const receiptAt = received.findIndex((m) => m.getChild("received", "urn:xmpp:receipts")?.attrs.id === "receipt-1");
      assert.ok(receiptAt >= 0, "a receipt for the message arrived");
      assert.ok(replyAt >= 0 && replyAt < receiptAt, "the reply comes before the receipt");
      assert.equal(received[receiptAt]!.attrs.from, to);
      await device.waitFor(/message\s+from owner@[^:]+: help/);
    });
  });

  it("stops with a clear error and never logs in when the CA is not the hub's", async () => {
    const otherCa = join(scratch, "other-ca.pem");
    // A valid CA certificate, just not the one that signed the hub's certificate.
    writeFileSync(otherCa, await selfSignedCa(scratch));
    const run = runDevice(settings(hub, { ca: otherCa }));
    const code = await run.exit;
    assert.notEqual(code, 0);
    assert.match(run.output(), /not signed by the configured CA/);
    assert.doesNotMatch(run.output(), / authenticated | online /);
  });

  it("logs in over direct TLS (server=tls://, XEP-0368) where the hub serves it, and refuses a CA that is not the hub's there too", async function () {
    if (hub.directTlsPort === undefined) this.skip(); // the ejabberd hub has no direct TLS listener yet
    const server = `tls://${hub.host}:${hub.directTlsPort}`;
    const run = runDevice(settings(hub, { server }));
    try {
      await run.waitFor(/online\s+\S+/);
      assert.match(run.output(), new RegExp(`connecting\\s+${server.replace(/[.]/g, "\\.")}`));
      assert.doesNotMatch(run.output(), /starttls/i);
    } finally {
      await stopDevice(run);
    }
    const otherCa = join(scratch, "other-ca-direct.pem");
    writeFileSync(otherCa, await selfSignedCa(scratch));
    const refused = runDevice(settings(hub, { server, ca: otherCa }));
    assert.notEqual(await refused.exit, 0);
    assert.match(refused.output(), /not signed by the configured CA/);
    assert.doesNotMatch(refused.output(), / authenticated | online /);
  });

  it("stops with a clear error and never comes online when the password is wrong", async () => {
    const run = runDevice(settings(hub, { xmpp_password: "wrong" }));
    const code = await run.exit;
    assert.notEqual(code, 0);
    assert.match(run.output(), /rejected the credentials of microwave: check jid and xmpp_password/);
    assert.doesNotMatch(run.output(), / authenticated | online /);
  });

  it("names the config key that is missing or bad, before connecting", async () => {
    const missing = runDevice(settings(hub).filter((arg) => !arg.startsWith("xmpp_password=")));
    assert.equal(await missing.exit, 2);
    assert.match(missing.output(), /config key "xmpp_password": missing/);
    const bad = runDevice(settings(hub, { server: "127.0.0.1:99999" }));
    assert.equal(await bad.exit, 2);
    assert.match(bad.output(), /config key "server": port 99999/);
    const noCa = runDevice(settings(hub, { ca: join(scratch, "nope.pem") }));
    assert.equal(await noCa.exit, 2);
    assert.match(noCa.output(), /config key "ca": cannot read .*nope\.pem: ENOENT/);
    assert.doesNotMatch(missing.output() + bad.output() + noCa.output(), /connecting/);
  });
});

/** A throwaway CA certificate made with openssl, unrelated to the hub's. */
async function selfSignedCa(dir: string): Promise<string> {
  const key = join(dir, "other-ca.key");
  const cert = join(dir, "other-ca.crt");
  const child = spawn("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=Not the hub CA"], { stdio: "ignore" });
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error("openssl could not make a test CA");
  return readFileSync(cert, "utf8");
}
