// The composition root: first connection with retries, reconnection after loss, a stop for
// failures only a person can fix, owners' subscriptions, and replies before receipts.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { Appliance, type ApplianceEvent } from "../../../src/app/appliance.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";

const config = readConnectionConfig({ jid: "device@hub.test/dev", xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test" });

function appliance(host: FakeHost, reply = (body: string) => `you said ${body}`) {
  const events: [ApplianceEvent, string][] = [];
  const device = new Appliance({
    host,
    config,
    onEvent: (event, detail) => events.push([event, detail]),
    onMessage: (message) => reply(message.body),
  });
  return { device, events, names: () => events.map(([event]) => event) };
}

function plainServer(password = "secret"): XmppTestServer {
  return new XmppTestServer({ mechanisms: ["PLAIN"], password });
}

describe("appliance", () => {
  it("retries a refused first connection with backoff, then comes online", async () => {
    const host = new FakeHost();
    const { device, names } = appliance(host);
    let online = false;
    const started = device.start().then(() => (online = true));
    await settle();
    assert.equal(names().at(-1), "retrying");
    host.server = plainServer().connection;
    host.clock.advance(1000);
    await settle(60);
    await started;
    assert.ok(online);
    assert.equal(names().at(-1), "online");
  });

  it("gives up at once on rejected credentials, with the reason", async () => {
    const host = new FakeHost({ server: plainServer("other").connection });
    const { device, names } = appliance(host);
    await assert.rejects(device.start(), SASLError);
    assert.ok(!names().includes("retrying"));
    assert.equal(host.clock.pending, 0, "no retry is scheduled");
  });

  it("reconnects after the connection drops", async () => {
    const first = plainServer();
    const host = new FakeHost({ server: first.connection });
    const { device, names } = appliance(host);
    await device.start();
    const second = plainServer();
    host.server = second.connection;
    first.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    assert.deepEqual(names().slice(-2), ["offline", "retrying"]);
    host.clock.advance(1000);
    await settle(60);
    assert.equal(names().at(-1), "online");
    assert.ok(device.client.online);
  });

  it("does not reconnect after stop(), nor while a retry is waiting", async () => {
    const host = new FakeHost();
    const { device } = appliance(host);
    const started = device.start();
    await settle();
    device.stop();
    await assert.rejects(started, /stopped/);
    host.server = plainServer().connection;
    host.clock.advance(120_000);
    await settle();
    assert.equal(host.server.endpoint, undefined, "nothing connected after stop()");
  });

  it("approves owners' subscription requests only", async () => {
    const server = plainServer();
    const { device } = appliance(new FakeHost({ server: server.connection }));
    await device.start();
    server.send(`<presence type='subscribe' from='owner@hub.test'/>`);
    server.send(`<presence type='subscribe' from='stranger@hub.test'/>`);
    await settle();
    const answers = server.stanzas.filter((s) => s.name === "presence" && s.attrs.to).map((s) => `${s.attrs.to} ${s.attrs.type}`);
    assert.deepEqual(answers, ["owner@hub.test subscribed", "stranger@hub.test unsubscribed"]);
  });

  it("sends the reply to a message before its receipt", async () => {
    const server = plainServer();
    const { device } = appliance(new FakeHost({ server: server.connection }));
    await device.start();
    server.send(`<message type='chat' id='m1' from='owner@hub.test/phone'><body>help</body><request xmlns='urn:xmpp:receipts'/></message>`);
    await settle();
    const messages = server.stanzas.filter((s) => s.name === "message");
    assert.equal(messages.length, 2);
    assert.equal(messages[0]!.getChildText("body"), "you said help");
    assert.equal(messages[0]!.attrs.to, "owner@hub.test/phone");
    assert.equal(messages[1]!.getChild("received", "urn:xmpp:receipts")?.attrs.id, "m1");
  });
});
