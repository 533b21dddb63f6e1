// XEP-0092 on the appliance: an owner reads the firmware's name, the running version and the
// runtime; a stranger is forbidden; disco#info announces the feature.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { iq, refusal } from "../../support/adhoc.js";
import { Appliance } from "../../../src/app/appliance.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../../../src/app/version.js";

const JID = "lamp@hub.test/appliance";

async function online() {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], username: "lamp" });
  const host = new FakeHost({ server: server.connection });
  const device = { name: "Lamp", opcodes: [], handle: async () => "ok", summary: () => "idle", safe() {} };
  const config = readConnectionConfig({ jid: JID, xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test" });
  const appliance = new Appliance({ host, config, device, runtime: "simulator", onEvent: () => {} });
  await appliance.start();
  await settle();
  return server;
}

describe("appliance: software version (XEP-0092)", () => {
  it("tells an owner the firmware's name, the running version and the runtime", async () => {
    const server = await online();
    const answer = await iq(server, JID, "<query xmlns='jabber:iq:version'/>", { type: "get" });
    assert.equal(answer.attrs.type, "result");
    const query = answer.getChild("query", "jabber:iq:version")!;
    assert.deepEqual([query.getChildText("name"), query.getChildText("version"), query.getChildText("os")], [FIRMWARE_NAME, FIRMWARE_VERSION, "simulator"]);
  });

  it("refuses a stranger with forbidden", async () => {
    const server = await online();
    const answer = await iq(server, JID, "<query xmlns='jabber:iq:version'/>", { type: "get", from: "stranger@hub.test/x" });
    assert.equal(refusal(answer).condition, "forbidden");
    assert.equal(answer.getChild("query"), undefined);
  });

  it("announces jabber:iq:version in disco#info", async () => {
    const server = await online();
    const answer = await iq(server, JID, "<query xmlns='http://jabber.org/protocol/disco#info'/>", { type: "get" });
    const features = answer.getChild("query")!.getChildren("feature").map((feature) => feature.attrs.var);
    assert.ok(features.includes("jabber:iq:version"), features.join(" "));
  });
});
