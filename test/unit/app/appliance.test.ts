// The composition root: first connection with retries, reconnection after loss, a stop for
// failures only a person can fix, owners' subscriptions, and replies before receipts.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { smSession, XmppTestServer, type SmSession } from "../../support/xmpp-server.js";
import { Appliance, type ApplianceDevice, type ApplianceEvent } from "../../../src/app/appliance.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";

const config = readConnectionConfig({ jid: "device@hub.test/dev", xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test" });

/** A device that records what it was asked. */
class RecordingDevice implements ApplianceDevice {
  readonly name = "test oven";
  readonly opcodes = [];
  readonly handled: string[] = [];
  safeCalls = 0;
  state = "idle";
  async handle(text: string): Promise<string> {
    this.handled.push(text);
    return `ok: you said ${text}`;
  }
  summary(): string {
    return this.state;
  }
  safe(): void {
    this.safeCalls += 1;
  }
}

function appliance(host: FakeHost, options: { graceMs?: number } = {}) {
  const events: [ApplianceEvent, string][] = [];
  const fake = new RecordingDevice();
  const device = new Appliance({
    host,
    config,
    device: fake,
    graceMs: options.graceMs,
    onEvent: (event, detail) => events.push([event, detail]),
  });
  return { device, fake, events, names: () => events.map(([event]) => event) };
}

function plainServer(password = "secret", streamManagement?: SmSession): XmppTestServer {
  return new XmppTestServer({ mechanisms: ["PLAIN"], password, ...(streamManagement ? { streamManagement } : {}) });
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
    assert.deepEqual(names().slice(-2), ["online", "roster"]);
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
    assert.deepEqual(names().slice(-2), ["online", "roster"]);
    assert.ok(device.client.online);
  });

  it("reconnects within 300 ms after a healthy stream drops, and backs off when it drops again within a minute", async () => {
    const first = plainServer();
    const host = new FakeHost({ server: first.connection });
    const { device, names, events } = appliance(host);
    await device.start();
    const second = plainServer();
    host.server = second.connection;
    first.connection.drop(new Error("router rebooted"));
    await settle();
    const quick = Number(/next attempt in ([\d.]+) s/.exec(events.at(-1)![1])?.[1]);
    assert.ok(quick <= 0.3, `the first reconnect waits at most 0.3 s, not ${quick} s`);
    host.clock.advance(300);
    await settle(60);
    assert.deepEqual(names().slice(-2), ["online", "roster"]);
    const third = plainServer();
    host.server = third.connection;
    second.connection.drop(new Error("router rebooted again"));
    await settle();
    const backedOff = Number(/next attempt in ([\d.]+) s/.exec(events.at(-1)![1])?.[1]);
    assert.ok(backedOff >= 0.5, `a second drop within a minute backs off (${backedOff} s)`);
    host.clock.advance(300);
    await settle(60);
    assert.equal(names().at(-1), "retrying", "not reconnected within 300 ms the second time");
    host.clock.advance(1000);
    await settle(60);
    assert.deepEqual(names().slice(-2), ["online", "roster"]);
  });

  it("resumes a stream-managed session after a drop: the grace timer stops, no new subscription requests or presence", async () => {
    const session = smSession();
    const first = plainServer("secret", session);
    const host = new FakeHost({ server: first.connection });
    const { device, fake, names } = appliance(host, { graceMs: 5_000 });
    await device.start();
    const second = plainServer("secret", session);
    host.server = second.connection;
    first.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    host.clock.advance(1000);
    await settle(60);
    assert.equal(names().at(-1), "resumed");
    assert.equal(second.stanzas.filter((s) => s.name === "presence").length, 0);
    host.clock.advance(10_000);
    assert.equal(fake.safeCalls, 0, "the grace timer was stopped by the resumption");
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

  it("asks its owners for a subscription when it logs in, and approves owners' requests only", async () => {
    const server = plainServer();
    const { device } = appliance(new FakeHost({ server: server.connection }));
    await device.start();
    server.send(`<presence type='subscribe' from='owner@hub.test'/>`);
    server.send(`<presence type='subscribe' from='stranger@hub.test'/>`);
    await settle();
    const answers = server.stanzas.filter((s) => s.name === "presence" && s.attrs.to).map((s) => `${s.attrs.to} ${s.attrs.type}`);
    assert.deepEqual(answers, ["owner@hub.test subscribe", "owner@hub.test subscribed", "stranger@hub.test unsubscribed"]);
  });

  it("asks an owner for a subscription only when the roster shows it neither subscribed to nor asked", async () => {
    const owners = ["to", "both", "pending", "from", "none", "absent"].map((name) => `${name}@hub.test`);
    const server = new XmppTestServer({
      mechanisms: ["PLAIN"],
      roster: [
        { jid: "to@hub.test", subscription: "to" },
        { jid: "both@hub.test", subscription: "both" },
        { jid: "pending@hub.test", subscription: "none", ask: "subscribe" },
        { jid: "from@hub.test", subscription: "from" },
        { jid: "none@hub.test", subscription: "none" },
      ],
    });
    const device = new Appliance({
      host: new FakeHost({ server: server.connection }),
      config: readConnectionConfig({ jid: "device@hub.test/dev", xmpp_password: "secret", ca: "ca.pem", owner: owners.join(",") }),
      device: new RecordingDevice(),
      onEvent: () => {},
    });
    await device.start();
    await settle();
    const requests = server.stanzas.filter((s) => s.is("presence") && s.attrs.type === "subscribe").map((s) => s.attrs.to);
    assert.deepEqual(requests, ["from@hub.test", "none@hub.test", "absent@hub.test"]);
  });

  /** An appliance for owners both@ and none@ on a server that leaves the roster get unanswered (its ids in `gets`). */
  function heldRoster() {
    const server = new XmppTestServer({ mechanisms: ["PLAIN"] });
    const gets: string[] = [];
    server.intercept = (stanza) => {
      if (stanza.attrs.type !== "get" || !stanza.getChild("query", "jabber:iq:roster")) return undefined;
      gets.push(stanza.attrs.id!);
      return "";
    };
    const events: [ApplianceEvent, string][] = [];
    const device = new Appliance({
      host: new FakeHost({ server: server.connection }),
      config: readConnectionConfig({ jid: "device@hub.test/dev", xmpp_password: "secret", ca: "ca.pem", owner: "both@hub.test,none@hub.test" }),
      device: new RecordingDevice(),
      onEvent: (event, detail) => events.push([event, detail]),
    });
    const requests = () => server.stanzas.filter((s) => s.is("presence") && s.attrs.type === "subscribe").map((s) => s.attrs.to);
    const start = async () => {
      let started = false;
      void device.start().then(() => (started = true));
      await settle(2000); // the whole login, on promise jobs alone
      assert.ok(started && events.some(([event]) => event === "online"), "online with the roster get unanswered");
      assert.deepEqual(requests(), [], "no subscription request before the roster's answer");
    };
    return { server, gets, events, requests, start };
  }

  it("asks the owners for subscriptions only once the roster is read, which comes after online", async () => {
    const { server, gets, events, requests, start } = heldRoster();
    await start();
    server.send(`<iq type='result' id='${gets[0]}'><query xmlns='jabber:iq:roster'><item jid='both@hub.test' subscription='both'/></query></iq>`);
    await settle();
    assert.deepEqual(requests(), ["none@hub.test"]);
    assert.deepEqual(events.filter(([event]) => event === "roster"), [["roster", "1 contact; asked none@hub.test for a subscription"]]);
  });

  it("asks every owner when the roster get is refused after online, with one error line", async () => {
    const { server, gets, events, requests, start } = heldRoster();
    await start();
    server.send(`<iq type='error' id='${gets[0]}'><error type='cancel'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
    await settle();
    assert.deepEqual(requests(), ["both@hub.test", "none@hub.test"]);
    assert.deepEqual(events.filter(([event]) => event === "roster"), [["roster", "not known; asked both@hub.test, none@hub.test for a subscription"]]);
    assert.equal(events.filter(([event, detail]) => event === "error" && detail.includes("did not give the roster")).length, 1);
  });

  it("sends the reply to a message before its receipt", async () => {
    const server = plainServer();
    const { device } = appliance(new FakeHost({ server: server.connection }));
    await device.start();
    server.send(`<message type='chat' id='m1' from='owner@hub.test/phone'><body>help</body><request xmlns='urn:xmpp:receipts'/></message>`);
    await settle();
    const messages = server.stanzas.filter((s) => s.name === "message");
    assert.equal(messages.length, 2);
    assert.equal(messages[0]!.getChildText("body"), "ok: you said help");
    assert.equal(messages[0]!.attrs.to, "owner@hub.test/phone");
    assert.equal(messages[1]!.getChild("received", "urn:xmpp:receipts")?.attrs.id, "m1");
  });

  it("refuses a stranger's command without asking the device, and still acknowledges it", async () => {
    const server = plainServer();
    const { device, fake, names } = appliance(new FakeHost({ server: server.connection }));
    await device.start();
    server.send(`<message type='chat' id='s1' from='stranger@hub.test/x'><body>GRILL 15</body><request xmlns='urn:xmpp:receipts'/></message>`);
    await settle();
    assert.deepEqual(fake.handled, []);
    const messages = server.stanzas.filter((s) => s.name === "message");
    assert.match(messages[0]!.getChildText("body") ?? "", /^error: stranger@hub\.test is not an owner of this test oven; nothing was changed$/);
    assert.ok(messages[1]!.getChild("received", "urn:xmpp:receipts"));
    assert.ok(names().includes("refused"));
  });

  it("puts the device in its safe state after the grace time without the hub, not before", async () => {
    const first = plainServer();
    const host = new FakeHost({ server: first.connection });
    const { device, fake, names } = appliance(host, { graceMs: 60_000 });
    await device.start();
    host.server = undefined; // the hub stays unreachable
    first.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    host.clock.advance(59_000);
    await settle();
    assert.equal(fake.safeCalls, 0, "still within the grace time");
    host.clock.advance(1_000);
    await settle();
    assert.equal(fake.safeCalls, 1);
    assert.ok(names().includes("safe"));
  });

  it("keeps the device as it is when the hub comes back within the grace time", async () => {
    const first = plainServer();
    const host = new FakeHost({ server: first.connection });
    const { device, fake } = appliance(host, { graceMs: 60_000 });
    await device.start();
    host.server = plainServer().connection;
    first.connection.drop(new Error("blip"));
    await settle();
    host.clock.advance(1_000);
    await settle(60);
    assert.ok(device.client.online);
    host.clock.advance(120_000);
    await settle();
    assert.equal(fake.safeCalls, 0);
  });

  it("publishes the device's summary as presence, at login and on change", async () => {
    const server = plainServer();
    const host = new FakeHost({ server: server.connection });
    const { device, fake } = appliance(host);
    fake.state = "preheating";
    await device.start();
    await settle();
    const presences = () => server.stanzas.filter((s) => s.name === "presence" && !s.attrs.to).map((s) => s.getChildText("status"));
    assert.deepEqual(presences(), ["preheating"]);
    fake.state = "idle";
    device.deviceChanged();
    host.clock.advance(10_000);
    await settle();
    assert.deepEqual(presences(), ["preheating", "idle"]);
  });
});

describe("appliance while the network is down", () => {
  function gated(host: FakeHost) {
    let up = false;
    let connects = 0;
    const connect = host.connect.bind(host);
    host.connect = (endpoint, handlers) => {
      connects++;
      return connect(endpoint, handlers);
    };
    const events: [ApplianceEvent, string][] = [];
    const device = new Appliance({ host, config, device: new RecordingDevice(), onEvent: (event, detail) => events.push([event, detail]), networkUp: () => up });
    return { device, events, connects: () => connects, setUp: (value: boolean) => (up = value) };
  }

  it("starts no connect while Wi-Fi is down, says so, and connects at once when it is back", async () => {
    const host = new FakeHost();
    const t = gated(host);
    let online = false;
    const started = t.device.start().then(() => (online = true));
    for (let i = 0; i < 5; i++) {
      host.clock.advance(60_000);
      await settle();
    }
    assert.equal(t.connects(), 0, "no connect while the network is down");
    assert.deepEqual(t.events.at(-1), ["retrying", "the network (Wi-Fi) is down: connecting once it is back"]);
    host.server = plainServer().connection;
    t.setUp(true);
    t.device.networkUp();
    await settle(60);
    await started;
    assert.ok(online);
    assert.equal(t.connects(), 1);
    t.device.stop();
  });

  it("holds the retry after a lost stream while Wi-Fi is down, instead of failing connect after connect", async () => {
    const host = new FakeHost();
    const server = plainServer();
    host.server = server.connection;
    const t = gated(host);
    t.setUp(true);
    await t.device.start();
    assert.equal(t.connects(), 1);
    t.setUp(false);
    host.server = undefined;
    server.connection.drop();
    await settle();
    for (let i = 0; i < 5; i++) {
      host.clock.advance(60_000);
      await settle();
    }
    assert.equal(t.connects(), 1, "no connect attempted while down");
    t.device.stop();
  });
});
