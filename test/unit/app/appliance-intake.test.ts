// What the appliance does with each chat message before the device sees it: a repeated command
// answered again without acting twice, a stale one refused (receipts still sent), no answer to
// error or headline messages nor to a device's own, refusals to a stranger at most once a minute,
// and a bounded queue per owner with a "busy" reply.

import type { Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { Appliance, type ApplianceDevice, type ApplianceEvent } from "../../../src/app/appliance.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { NS } from "../../../src/xmpp/namespaces.js";

/** 2026-12-02T06:00:00Z: the wall clock at the fake clock's 0. */
const EPOCH = Date.UTC(2026, 11, 2, 6, 0, 0);

class RecordingDevice implements ApplianceDevice {
  readonly name = "test oven";
  readonly opcodes = [];
  readonly handled: string[] = [];
  safeCalls = 0;
  /** While set, handle() waits for it: commands pile up in the owner's queue. */
  gate: Promise<void> | undefined;
  async handle(text: string): Promise<string> {
    if (this.gate) await this.gate;
    this.handled.push(text);
    return `ok: ${text} #${this.handled.length}`;
  }
  summary(): string {
    return "idle";
  }
  safe(): void {
    this.safeCalls += 1;
  }
}

async function online(options: { graceMs?: number; wallClock?: () => number; queueLimit?: number; keys?: Record<string, string> } = {}) {
  const username = (options.keys?.jid ?? "device@").split("@")[0]!;
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], username });
  const host = new FakeHost({ server: server.connection });
  const fake = new RecordingDevice();
  const events: [ApplianceEvent, string][] = [];
  const config = readConnectionConfig({ jid: "device@hub.test/dev", xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test,other@hub.test", ...options.keys });
  const appliance = new Appliance({
    host,
    config,
    device: fake,
    graceMs: options.graceMs,
    queueLimit: options.queueLimit,
    wallClock: options.wallClock ?? (() => EPOCH + host.clock.now()),
    onEvent: (event, detail) => events.push([event, detail]),
  });
  await appliance.start();
  await settle();
  const replies = () => server.stanzas.filter((s) => s.name === "message" && s.getChild("body")).map((s) => s.getChildText("body")!);
  const receipts = () => server.stanzas.filter((s) => s.name === "message" && s.getChild("received", NS.RECEIPTS)).map((s) => s.getChild("received")!.attrs.id);
  return { server, host, fake, appliance, events, replies, receipts, names: () => events.map(([event]) => event) };
}

function chat(id: string | undefined, body: string, { from = "owner@hub.test/phone", extra = "", type = "chat" } = {}): string {
  return `<message type='${type}'${id === undefined ? "" : ` id='${id}'`} from='${from}'><body>${body}</body><request xmlns='urn:xmpp:receipts'/>${extra}</message>`;
}

function delay(ms: number, from = "hub.test"): string {
  return `<delay xmlns='urn:xmpp:delay' from='${from}' stamp='${new Date(ms).toISOString()}'/>`;
}

describe("appliance: a repeated command", () => {
  it("gets the first reply again and is carried out once (and each copy gets its receipt)", async () => {
    const t = await online();
    t.server.send(chat("m1", "GRILL 15"));
    await settle();
    t.server.send(chat("m1", "GRILL 15"));
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 15"]);
    assert.deepEqual(t.replies(), ["ok: GRILL 15 #1", "ok: GRILL 15 #1"]);
    assert.deepEqual(t.receipts(), ["m1", "m1"]);
    assert.ok(t.names().includes("duplicate"));
  });

  it("is recognised from another resource of the same owner (a client that reconnected), and while the first is still running", async () => {
    const t = await online();
    let open!: () => void;
    t.fake.gate = new Promise((resolve) => (open = resolve));
    t.server.send(chat("m1", "GRILL 15"));
    t.server.send(chat("m1", "GRILL 15", { from: "owner@hub.test/laptop" }));
    await settle();
    t.fake.gate = undefined;
    open();
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 15"]);
    assert.deepEqual(t.replies(), ["ok: GRILL 15 #1", "ok: GRILL 15 #1"]);
  });

  it("is a resend even with a delay stamp older than max_command_age_s (added by the server on the way): the first reply, not a stale refusal", async () => {
    const t = await online();
    t.server.send(chat("m1", "GRILL 15"));
    await settle();
    t.host.clock.advance(120_000);
    t.server.send(chat("m1", "GRILL 15", { extra: delay(EPOCH) }));
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 15"]);
    assert.deepEqual(t.replies(), ["ok: GRILL 15 #1", "ok: GRILL 15 #1"]);
  });

  it("is not confused with a different text under the same id, another owner's same id, or messages without an id", async () => {
    const t = await online();
    t.server.send(chat("1", "GRILL 15"));
    t.server.send(chat("1", "GRILL 10"));
    t.server.send(chat("1", "GRILL 15", { from: "other@hub.test/phone" }));
    t.server.send(chat(undefined, "STOP"));
    t.server.send(chat(undefined, "STOP"));
    await settle();
    assert.deepEqual([...t.fake.handled].sort(), ["GRILL 10", "GRILL 15", "GRILL 15", "STOP", "STOP"]);
  });

  it("is carried out again once its window (10 min) has passed", async () => {
    const t = await online();
    t.server.send(chat("m1", "GRILL 15"));
    await settle();
    t.host.clock.advance(600_000);
    t.server.send(chat("m1", "GRILL 15"));
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 15", "GRILL 15"]);
  });
});

describe("appliance: a stale command", () => {
  it("is refused when its delay stamp is older than max_command_age_s, with when it was sent; the receipt still goes out", async () => {
    const t = await online();
    t.host.clock.advance(45_000);
    t.server.send(chat("m1", "GRILL 15", { extra: delay(EPOCH) }));
    await settle();
    assert.deepEqual(t.fake.handled, []);
    assert.deepEqual(t.replies(), [
      "error: refused as stale, nothing was changed: sent at 2026-12-02T06:00:00Z, 45 s ago, more than max_command_age_s (30 s); send it again if you still want it",
    ]);
    assert.deepEqual(t.receipts(), ["m1"]);
    assert.ok(t.names().includes("stale"));
  });

  it("is carried out when the stamp is younger than max_command_age_s, and the key sets the limit", async () => {
    const t = await online({ keys: { max_command_age_s: "60" } });
    t.host.clock.advance(65_000);
    t.server.send(chat("m1", "GRILL 15", { extra: delay(EPOCH + 20_000) }));
    t.server.send(chat("m2", "GRILL 10", { extra: delay(EPOCH + 1_000) }));
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 15"]);
    assert.equal(t.replies().length, 2);
    assert.match(t.replies().find((reply) => reply.startsWith("error"))!, /^error: refused as stale.*64 s ago, more than max_command_age_s \(60 s\)/);
  });

  it("takes the earliest of several stamps, and reads XEP-0091's legacy stamp", async () => {
    const t = await online();
    t.host.clock.advance(40_000);
    t.server.send(chat("m1", "GRILL 15", { extra: delay(EPOCH + 35_000) + delay(EPOCH, "relay.test") }));
    t.server.send(chat("m2", "GRILL 10", { extra: "<x xmlns='jabber:x:delay' stamp='20261202T06:00:00'/>" }));
    await settle();
    assert.deepEqual(t.fake.handled, []);
    assert.equal(t.replies().filter((reply) => reply.includes("sent at 2026-12-02T06:00:00Z, 40 s ago")).length, 2);
  });

  it("is refused when it was held while the device was offline and the grace time put it in its safe state, however recent", async () => {
    const t = await online({ graceMs: 10_000 });
    const second = new XmppTestServer({ mechanisms: ["PLAIN"] });
    t.host.server = undefined;
    t.server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    t.host.clock.advance(10_000);
    assert.equal(t.fake.safeCalls, 1);
    t.host.server = second.connection;
    t.host.clock.advance(5_000);
    await settle(80);
    assert.ok(t.appliance.client.online);
    second.send(chat("m1", "GRILL 15", { extra: delay(EPOCH + 12_000) }));
    await settle();
    assert.deepEqual(t.fake.handled, []);
    const reply = second.stanzas.find((s) => s.name === "message" && s.getChild("body"))!.getChildText("body")!;
    assert.match(reply, /^error: refused as stale, nothing was changed: sent at 2026-12-02T06:00:12Z, held for the device while it was offline, and the device went to its safe state at 2026-12-02T06:00:10Z/);
    // A command sent now, without a stamp, is carried out.
    second.send(chat("m2", "GRILL 15"));
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 15"]);
  });

  it("is refused when it was sent before the device started (it waited while the device was off), however recent", async () => {
    const t = await online();
    t.host.clock.advance(5_000);
    t.server.send(chat("m1", "GRILL 15", { extra: delay(EPOCH - 3_000) }));
    await settle();
    assert.deepEqual(t.fake.handled, []);
    assert.match(t.replies()[0]!, /^error: refused as stale, nothing was changed: sent at 2026-12-02T05:59:57Z, held for the device while it was offline, and the device started, in its safe state, at 2026-12-02T06:00:00Z/);
  });

  it("is refused when the device's clock is not set, since its age cannot be told; an undelayed command still runs", async () => {
    const t = await online({ wallClock: () => 5_000 });
    t.server.send(chat("m1", "GRILL 15", { extra: delay(EPOCH) }));
    t.server.send(chat("m2", "GRILL 10"));
    await settle();
    assert.deepEqual(t.fake.handled, ["GRILL 10"]);
    assert.match(t.replies()[0]!, /^error: refused as stale.*the device's clock is not set \(SNTP\), so its age cannot be checked/);
  });

  it("is refused when its delay stamp cannot be read", async () => {
    const t = await online();
    t.server.send(chat("m1", "GRILL 15", { extra: "<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>" }));
    await settle();
    assert.deepEqual(t.fake.handled, []);
    assert.match(t.replies()[0]!, /delay stamp "yesterday" cannot be read/);
  });
});

describe("appliance: no loops, no storms", () => {
  it("never answers a message of type error, headline or groupchat, even from an owner", async () => {
    const t = await online();
    for (const type of ["error", "headline", "groupchat"]) t.server.send(chat(`m-${type}`, "GRILL 15", { type }));
    await settle();
    assert.deepEqual(t.fake.handled, []);
    assert.deepEqual(t.replies(), []);
  });

  it("marks its replies and notices as a device's, and never answers a message so marked, nor one from its own account", async () => {
    const t = await online();
    t.server.send(chat("m1", "status"));
    await settle();
    t.appliance.notifyOwners("test oven: grill switched off by itself: on too long");
    const sent = t.server.stanzas.filter((s) => s.name === "message" && s.getChild("body"));
    assert.equal(sent.length, 3);
    for (const stanza of sent) assert.ok(stanza.getChild("device-message", NS.DEVICE_MESSAGE), `marked: ${stanza.toString()}`);
    t.server.send(chat("m2", "GRILL 15", { extra: `<device-message xmlns='${NS.DEVICE_MESSAGE}'/>` }));
    t.server.send(chat("m3", "GRILL 15", { from: "device@hub.test/other" }));
    await settle();
    assert.deepEqual(t.fake.handled, ["status"]);
    assert.equal(t.replies().length, 3);
    assert.equal(t.names().filter((name) => name === "ignored").length, 2);
  });

  it("two devices, each the other's owner: a trip notice gets no answer at all", async () => {
    const a = await online({ keys: { jid: "a@hub.test/dev", owner: "b@hub.test" } });
    const b = await online({ keys: { jid: "b@hub.test/dev", owner: "a@hub.test" } });
    // Whatever one sends to the other is delivered, as the hub would, for a few rounds.
    const relay = (from: { server: XmppTestServer }, to: { server: XmppTestServer }, jid: string, seen: number) => {
      const fresh = from.server.stanzas.slice(seen).filter((s: Element) => s.name === "message");
      for (const stanza of fresh) {
        stanza.attrs.from = jid;
        to.server.send(stanza.toString());
      }
      return from.server.stanzas.length;
    };
    let seenA = a.server.stanzas.length;
    let seenB = b.server.stanzas.length;
    a.appliance.notifyOwners("a: grill switched off by itself: on too long");
    for (let round = 0; round < 5; round++) {
      seenA = relay(a, b, "a@hub.test/dev", seenA);
      await settle();
      seenB = relay(b, a, "b@hub.test/dev", seenB);
      await settle();
    }
    assert.deepEqual(a.replies(), ["a: grill switched off by itself: on too long"]);
    assert.deepEqual(b.replies(), []);
    assert.deepEqual(b.fake.handled, []);
  });

  it("refuses a stranger once, then at most once a minute; receipts still go out", async () => {
    const t = await online();
    for (let i = 0; i < 5; i++) t.server.send(chat(`s${i}`, "GRILL 15", { from: "stranger@hub.test/x" }));
    await settle();
    assert.deepEqual(t.replies(), ["error: stranger@hub.test is not an owner of this test oven; nothing was changed"]);
    assert.equal(t.receipts().length, 5);
    t.host.clock.advance(59_000);
    t.server.send(chat("s5", "GRILL 15", { from: "stranger@hub.test/y" }));
    await settle();
    assert.equal(t.replies().length, 1);
    t.host.clock.advance(1_000);
    t.server.send(chat("s6", "GRILL 15", { from: "stranger@hub.test/y" }));
    t.server.send(chat("s7", "GRILL 15", { from: "someone@hub.test/y" }));
    await settle();
    assert.equal(t.replies().length, 3);
    assert.deepEqual(t.fake.handled, []);
    assert.equal(t.names().filter((name) => name === "refused").length, 8, "every refusal is logged, answered or not");
  });

  it("carries out an owner's commands in order, and answers busy to those beyond its queue", async () => {
    const t = await online({ queueLimit: 2 });
    let open!: () => void;
    t.fake.gate = new Promise((resolve) => (open = resolve));
    for (let i = 1; i <= 4; i++) t.server.send(chat(`m${i}`, `GRILL ${i}`));
    t.server.send(chat("o1", "GRILL 9", { from: "other@hub.test/phone" }));
    await settle();
    // Replies wait in the stream's hold (one write per burst) at most 20 ms.
    t.host.clock.advance(20);
    await settle();
    assert.deepEqual(t.replies(), [
      "error: busy: 2 of your commands are waiting to be carried out; this one was not, send it again once they are answered",
      "error: busy: 2 of your commands are waiting to be carried out; this one was not, send it again once they are answered",
    ]);
    t.fake.gate = undefined;
    open();
    await settle();
    assert.deepEqual(t.fake.handled.filter((text) => text !== "GRILL 9"), ["GRILL 1", "GRILL 2"]);
    assert.ok(t.fake.handled.includes("GRILL 9"), "another owner's command is not held up by a full queue");
    // A busy command sent again is a new attempt, carried out.
    t.server.send(chat("m3", "GRILL 3"));
    await settle();
    assert.equal(t.fake.handled.at(-1), "GRILL 3");
    assert.equal(t.receipts().length, 6);
  });
});

describe("appliance: dead_link_s", () => {
  it("gives up a silent link after dead_link_s, not before", async () => {
    const t = await online({ keys: { dead_link_s: "6" } });
    t.server.muted = true; // nothing comes back, nothing fails
    t.host.clock.advance(5_900);
    await settle();
    assert.ok(t.appliance.client.online, "still online within dead_link_s");
    t.host.clock.advance(100);
    await settle();
    assert.equal(t.appliance.client.online, false);
    assert.match(t.events.find(([event]) => event === "offline")![1], /connection-timeout: nothing heard from the server for 6 s/);
    t.appliance.stop();
  });
});
