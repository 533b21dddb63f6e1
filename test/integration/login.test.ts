// Logins against a real Prosody, with and without SASL2 (Debian's prosody-modules and the hub's
// compat module): a client with no session to resume logs in again over SASL2 with Bind2 where
// the hub offers it; the desktop device, cut off by a proxy on loopback, comes back at once and
// resumes its TLS and XEP-0198 sessions over the RFC 6120 flow (0.12.3 cannot resume inside SASL2).
import { strict as assert } from "node:assert";
import { xml as xmlElement } from "@xmpp/client";
import { DelayProxy } from "../../bench/delay-proxy.js";
import { createNodeHost } from "../../hosts/node/host.js";
import { sasl2Installed } from "../../hosts/node/hub/prosody.js";
import { Client } from "../../src/xmpp/client.js";
import { deviceSettings, microwaveManifest, runDevice } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const DEVICE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };

for (const sasl2 of [true, false]) describe(`device login on Prosody ${sasl2 ? "with" : "without"} SASL2`, function () {
  this.timeout(60_000);
  let hub: Hub;
  let proxy: DelayProxy;

  before(async function () {
    if (sasl2 && !sasl2Installed()) this.skip(); // prosody-modules: bash scripts/system-packages.sh
    hub = await startTestHub([DEVICE, OWNER], { sasl2 });
    proxy = await DelayProxy.start({ host: hub.host, port: hub.c2sPort }, 0);
  });

  after(async () => {
    await proxy?.stop();
    await hub?.stop();
  });

  it("lets @xmpp/client log in with no error: a session bound by Bind2 is not offered <bind/> again", async () => {
    const client = hubClient(hub, OWNER, { resource: "console" });
    const errors: string[] = [];
    client.on("error", (error: Error) => errors.push(String(error)));
    const iqs: string[] = [];
    client.on("send", (element: { name: string; toString(): string }) => {
      if (element.name === "iq") iqs.push(element.toString());
    });
    try {
      await client.start();
      // A roster query, answered: whatever was wrong would have come back before its answer.
      await client.iqCaller.get(xmlElement("query", { xmlns: "jabber:iq:roster" }));
      assert.deepEqual(errors, []);
      if (sasl2) assert.ok(!iqs.some((iq) => iq.includes("urn:ietf:params:xml:ns:xmpp-bind")), `a second bind: ${iqs.join(" ")}`);
    } finally {
      await client.stop().catch(() => {});
    }
  });

  it(`logs in a second time ${sasl2 ? "over SASL2 with Bind2, sent with the stream header" : "over SASL"} when no session is held`, async () => {
    const steps: string[] = [];
    const client = new Client({
      host: createNodeHost({ ca: hub.caPem }),
      jid: `${DEVICE.user}@${hub.domain}/bench`,
      password: DEVICE.password,
      server: { host: hub.host, port: proxy.port },
      streamManagement: false,
      onStatus: (status, detail) => steps.push(`${status} ${detail}`),
    });
    try {
      await client.start();
      assert.ok(steps.includes("authenticated SCRAM-SHA-1"), steps.join("; "));
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 100));
      steps.length = 0;
      const jid = await client.start();
      assert.ok(steps.includes(sasl2 ? "authenticated SCRAM-SHA-1 (SASL2)" : "authenticated SCRAM-SHA-1"), steps.join("; "));
      if (sasl2) assert.match(jid.toString(), /^microwave@hub\.test\/bench/, "Bind2 builds the resource from the tag");
    } finally {
      client.stop();
    }
  });

  it(`comes back after a cut over SASL, resuming the XEP-0198 session with <resume/>${sasl2 ? " (Prosody 0.12.3 resumes none inside SASL2)" : ""}, the TLS session resumed`, async () => {
    const run = runDevice(microwaveManifest, deviceSettings(hub, DEVICE, OWNER.user, { server: `${hub.host}:${proxy.port}` }));
    try {
      await run.waitFor(/online\s+\S+/);
      const mark = run.output().length;
      proxy.cut();
      const back = await run.waitFor(/resumed\s+\S+/, 30_000, mark);
      assert.ok(back);
      const reconnect = run.output().slice(mark);
      assert.match(reconnect, /secure\s+hub\.test \(TLS session resumed\)/);
      assert.match(reconnect, /authenticated\s+SCRAM-SHA-1\n/);
      assert.doesNotMatch(reconnect, /\berror\b/);
    } finally {
      await run.stop();
    }
  });
});
