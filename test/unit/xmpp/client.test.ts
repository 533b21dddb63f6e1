// The client once online: iq answers (ping, disco#info, refusals), tracked requests, messages
// with receipts sent after the handler acted, and the subscription policy.

import { createElement as xml, type Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { capsVer } from "../../../src/xmpp/caps.js";
import { Client } from "../../../src/xmpp/client.js";
import { onlineClient } from "../../support/online-client.js";
import { StanzaError, TimeoutError } from "../../../src/xmpp/error.js";
import type { IncomingMessage } from "../../../src/xmpp/messages.js";

const online = onlineClient;

async function exchange(server: XmppTestServer, stanza: string): Promise<Element[]> {
  const before = server.stanzas.length;
  server.send(stanza);
  await settle();
  return server.stanzas.slice(before);
}

describe("client online", () => {
  it("answers a ping with an empty result to the sender", async () => {
    const { server } = await online();
    const [answer] = await exchange(server, `<iq type='get' id='p1' from='owner@hub.test/phone'><ping xmlns='urn:xmpp:ping'/></iq>`);
    assert.deepEqual({ type: answer?.attrs.type, id: answer?.attrs.id, to: answer?.attrs.to }, { type: "result", id: "p1", to: "owner@hub.test/phone" });
    assert.equal(answer?.children.length, 0);
  });

  it("answers disco#info with its identity and features", async () => {
    const { server } = await online({ identity: { category: "client", type: "bot", name: "Microwave" } });
    const [answer] = await exchange(server, `<iq type='get' id='d1' from='owner@hub.test/phone'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    assert.equal(answer?.attrs.type, "result");
    const query = answer!.getChild("query", "http://jabber.org/protocol/disco#info")!;
    const identity = query.getChild("identity")!;
    assert.deepEqual({ ...identity.attrs }, { category: "client", type: "bot", name: "Microwave" });
    const features = query.getChildren("feature").map((f) => f.attrs.var);
    for (const feature of ["http://jabber.org/protocol/disco#info", "urn:xmpp:ping", "urn:xmpp:receipts"]) {
      assert.ok(features.includes(feature), `feature ${feature} in ${features.join(" ")}`);
    }
  });

  it("refuses an unknown iq get with service-unavailable, and an iq without payload with bad-request", async () => {
    const { server } = await online();
    const [unknown] = await exchange(server, `<iq type='get' id='u1' from='x@hub.test/y'><vCard xmlns='vcard-temp'/></iq>`);
    assert.equal(unknown?.attrs.type, "error");
    assert.ok(unknown?.getChild("error")?.getChild("service-unavailable", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    const [empty] = await exchange(server, `<iq type='set' id='u2' from='x@hub.test/y'/>`);
    assert.ok(empty?.getChild("error")?.getChild("bad-request", "urn:ietf:params:xml:ns:xmpp-stanzas"));
  });

  it("turns a handler's thrown StanzaError into the error reply", async () => {
    const { server, client } = await online();
    client.handleIq("command", "urn:test", () => {
      throw new StanzaError("forbidden", "owners only", "auth");
    });
    const [answer] = await exchange(server, `<iq type='set' id='c1' from='x@hub.test/y'><command xmlns='urn:test'/></iq>`);
    const error = answer?.getChild("error");
    assert.equal(error?.attrs.type, "auth");
    assert.ok(error?.getChild("forbidden", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    assert.equal(error?.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas"), "owners only");
  });

  it("tracks an outgoing iq by id: result, error, and timeout", async () => {
    const { server, host, client } = await online();
    const result = client.request(xml("iq", { type: "get", to: "hub.test" }, xml("query", { xmlns: "jabber:iq:version" })));
    await settle();
    const sent = server.stanzas.at(-1)!;
    server.send(`<iq type='result' id='${sent.attrs.id}' from='hub.test'/>`);
    assert.equal((await result).attrs.type, "result");

    const refused = client.request(xml("iq", { type: "get", to: "hub.test" }, xml("x", { xmlns: "urn:test" })));
    await settle();
    server.send(`<iq type='error' id='${server.stanzas.at(-1)!.attrs.id}' from='hub.test'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
    await assert.rejects(refused, (error) => error instanceof StanzaError && error.condition === "item-not-found");

    const silent = client.request(xml("iq", { type: "get", to: "hub.test" }, xml("x", { xmlns: "urn:test" })), 1000);
    await settle();
    host.clock.advance(1000);
    await assert.rejects(silent, TimeoutError);
  });

  it("ignores an iq result with the right id from the wrong sender", async () => {
    const { server, host, client } = await online();
    const pending = client.request(xml("iq", { type: "get", to: "owner@hub.test/phone" }, xml("ping", { xmlns: "urn:xmpp:ping" })), 1000);
    await settle();
    const id = server.stanzas.at(-1)!.attrs.id;
    server.send(`<iq type='result' id='${id}' from='mallory@hub.test/x'/>`);
    await settle();
    host.clock.advance(1000);
    await assert.rejects(pending, TimeoutError);
  });

  it("sends the receipt only after the message handler has finished", async () => {
    let finish!: () => void;
    const handled: IncomingMessage[] = [];
    const { server } = await online({
      onMessage: (message) => {
        handled.push(message);
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const before = await exchange(server, `<message type='chat' id='m1' from='owner@hub.test/phone'><body>PREHEAT 350 20</body><request xmlns='urn:xmpp:receipts'/></message>`);
    assert.equal(handled[0]?.body, "PREHEAT 350 20");
    assert.ok(handled[0]?.receiptRequested);
    assert.equal(before.length, 0, "no receipt while the handler is still acting");
    finish();
    await settle();
    const receipt = server.stanzas.at(-1)!;
    assert.equal(receipt.attrs.to, "owner@hub.test/phone");
    assert.equal(receipt.getChild("received", "urn:xmpp:receipts")?.attrs.id, "m1");
  });

  it("still sends the receipt when the handler fails, and reports the failure", async () => {
    const errors: Error[] = [];
    const { server } = await online({
      onMessage: () => Promise.reject(new Error("relay stuck")),
      onError: (error) => errors.push(error),
    });
    const sent = await exchange(server, `<message type='chat' id='m2' from='owner@hub.test/phone'><body>GRILL 15</body><request xmlns='urn:xmpp:receipts'/></message>`);
    assert.equal(sent.length, 1);
    assert.ok(sent[0]!.getChild("received", "urn:xmpp:receipts"));
    assert.equal(errors[0]?.message, "relay stuck");
  });

  it("passes on chat and normal messages with a body, nothing else", async () => {
    const bodies: string[] = [];
    const { server } = await online({ onMessage: (m) => void bodies.push(m.body) });
    await exchange(server, `<message type='chat' from='a@hub.test/x'><body>one</body></message>`);
    await exchange(server, `<message from='a@hub.test/x'><body>two</body></message>`);
    await exchange(server, `<message type='error' from='a@hub.test/x'><body>three</body></message>`);
    await exchange(server, `<message type='groupchat' from='room@muc.hub.test/a'><body>four</body></message>`);
    await exchange(server, `<message type='chat' from='a@hub.test/x'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`);
    assert.deepEqual(bodies, ["one", "two"]);
  });

  it("refuses subscription requests by default and approves those the policy approves", async () => {
    const refused = await online();
    const [no] = await exchange(refused.server, `<presence type='subscribe' from='stranger@hub.test'/>`);
    assert.deepEqual({ type: no?.attrs.type, to: no?.attrs.to }, { type: "unsubscribed", to: "stranger@hub.test" });

    const approved = await online({ onSubscriptionRequest: (from) => from.toString() === "owner@hub.test" });
    const [yes] = await exchange(approved.server, `<presence type='subscribe' from='owner@hub.test'/>`);
    assert.equal(yes?.attrs.type, "subscribed");
    const [other] = await exchange(approved.server, `<presence type='subscribe' from='x@hub.test'/>`);
    assert.equal(other?.attrs.type, "unsubscribed");
  });

  it("reports offline when the connection drops, and fails pending requests", async () => {
    const statuses: string[] = [];
    const { server, client } = await online({ onStatus: (status) => statuses.push(status) });
    const pending = client.request(xml("iq", { type: "get", to: "hub.test" }, xml("query", { xmlns: "jabber:iq:version" })));
    server.connection.drop(new Error("connection reset"));
    await assert.rejects(pending, /connection reset/);
    assert.equal(statuses.at(-1), "offline");
    assert.equal(client.online, false);
    assert.throws(() => client.sendMessage("owner@hub.test", "hi"), /offline/);
  });

  it("publishes a new status text as presence", async () => {
    const { server, client } = await online();
    client.setStatus("preheating 350 °C");
    await settle();
    assert.equal(server.stanzas.at(-1)?.getChildText("status"), "preheating 350 °C");
  });

  it("puts entity capabilities in its initial presence and in every status update, when given a caps node", async () => {
    const server = new XmppTestServer({ mechanisms: ["PLAIN"] });
    const host = new FakeHost({ server: server.connection });
    const identity = { category: "client", type: "bot", name: "Microwave" };
    const client = new Client({ host, jid: "device@hub.test/dev", password: "secret", identity, status: "idle", capsNode: "https://example.org/fw", features: ["urn:test:extra"] });
    await client.start();
    await settle();
    client.setStatus("busy");
    const features = ["http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info", "urn:test:extra", "urn:xmpp:ping", "urn:xmpp:receipts"];
    const ver = capsVer(host, [identity], features);
    assert.equal(client.capsVer, ver);
    const presences = server.stanzas.filter((s) => s.name === "presence");
    assert.deepEqual(presences.map((p) => p.getChildText("status")), ["idle", "busy"]);
    for (const presence of presences) {
      const c = presence.getChild("c", "http://jabber.org/protocol/caps");
      assert.deepEqual({ ...c?.attrs }, { xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: "https://example.org/fw", ver });
    }
  });

  it("changes its caps ver when it gains a feature", async () => {
    const { client } = await online({ capsNode: "https://example.org/fw" });
    const before = client.capsVer;
    client.addFeature("urn:test:new");
    assert.notEqual(client.capsVer, before);
  });

  it("sends no caps without a caps node, and then refuses every disco#info node", async () => {
    const server = new XmppTestServer({ mechanisms: ["PLAIN"] });
    const client = new Client({ host: new FakeHost({ server: server.connection }), jid: "device@hub.test/dev", password: "secret" });
    await client.start();
    await settle();
    assert.equal(server.stanzas.find((s) => s.name === "presence")?.getChild("c"), undefined);
    assert.equal(client.capsVer, undefined);
    const [answer] = await exchange(server, `<iq type='get' id='n0' from='owner@hub.test/phone'><query xmlns='http://jabber.org/protocol/disco#info' node='x#y'/></iq>`);
    assert.ok(answer?.getChild("error")?.getChild("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
  });

  it("answers disco#info for <node>#<ver> with the same identity and features, and item-not-found for any other node", async () => {
    const identity = { category: "client", type: "bot", name: "Microwave", lang: "en" };
    const { server, client } = await online({ identity, capsNode: "https://example.org/fw" });
    const node = `https://example.org/fw#${client.capsVer!}`;
    const [plain] = await exchange(server, `<iq type='get' id='n1' from='owner@hub.test/phone'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    const [noded] = await exchange(server, `<iq type='get' id='n2' from='owner@hub.test/phone'><query xmlns='http://jabber.org/protocol/disco#info' node='${node}'/></iq>`);
    const query = noded!.getChild("query")!;
    assert.equal(query.attrs.node, node);
    assert.deepEqual({ ...query.getChild("identity")!.attrs }, { category: "client", type: "bot", name: "Microwave", "xml:lang": "en" });
    assert.deepEqual(query.getChildren("feature").map((f) => f.attrs.var), plain!.getChild("query")!.getChildren("feature").map((f) => f.attrs.var));
    assert.ok(query.getChildren("feature").some((f) => f.attrs.var === "http://jabber.org/protocol/caps"));
    const [stale] = await exchange(server, `<iq type='get' id='n3' from='owner@hub.test/phone'><query xmlns='http://jabber.org/protocol/disco#info' node='https://example.org/fw#old='/></iq>`);
    assert.ok(stale?.getChild("error")?.getChild("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
  });

  it("pings the server only after it has been silent for half the dead-link time, and stays online while it answers", async () => {
    const { server, host, client } = await online({ deadLinkMs: 30_000 });
    host.clock.advance(10_000);
    server.send(`<message type='headline' from='hub.test'><body>traffic</body></message>`);
    host.clock.advance(10_000);
    await settle();
    assert.equal(server.pings, 0, "traffic 10 s ago: the link is not probed");
    for (let i = 0; i < 4; i++) {
      host.clock.advance(15_000);
      await settle();
    }
    assert.ok(server.pings >= 3 && server.pings <= 4, `pings: ${server.pings}`);
    assert.ok(client.online);
  });

  it("drops a silent stream within the dead-link time, and reports offline", async () => {
    const statuses: [string, string][] = [];
    const { server, host, client } = await online({ deadLinkMs: 30_000, onStatus: (status, detail) => statuses.push([status, detail]) });
    server.muted = true; // the Wi-Fi went away: nothing comes back, nothing fails
    host.clock.advance(15_000);
    await settle();
    assert.ok(client.online, "still online while the probe waits");
    host.clock.advance(15_000);
    await settle();
    assert.equal(client.online, false);
    assert.equal(statuses.at(-1)?.[0], "offline");
    assert.match(statuses.at(-1)?.[1] ?? "", /connection-timeout: nothing heard from the server for 30 s/);
    assert.ok(server.connection.closed);
  });
});

describe("client and stanzas over the reader's limits", () => {
  const ping = `<iq type='get' id='after' from='owner@hub.test/phone'><ping xmlns='urn:xmpp:ping'/></iq>`;

  async function sendOversized(stanza: string) {
    const errors: Error[] = [];
    const statuses: string[] = [];
    const { server, client } = await online({ onError: (error) => errors.push(error), onStatus: (status) => statuses.push(status) });
    const answers = await exchange(server, stanza);
    const [pong] = await exchange(server, ping);
    return { answers, pong, errors, statuses, client };
  }

  it("answers a stranger's 17 KB body with policy-violation and stays online", async () => {
    const { answers, pong, errors, statuses, client } = await sendOversized(
      `<message type='chat' id='big' from='stranger@hub.test/x' to='device@hub.test/dev'><body>${"x".repeat(17 * 1024)}</body></message>`,
    );
    assert.equal(answers.length, 1);
    const [refusal] = answers;
    assert.deepEqual({ name: refusal!.name, type: refusal!.attrs.type, id: refusal!.attrs.id, to: refusal!.attrs.to }, { name: "message", type: "error", id: "big", to: "stranger@hub.test/x" });
    const error = StanzaError.fromElement(refusal!);
    assert.equal(error.condition, "policy-violation");
    assert.equal(error.type, "modify");
    assert.equal(error.text, "this device does not read a stanza longer than the limit of 16384 bytes");
    assert.equal(pong?.attrs.id, "after", "the stream is still up");
    assert.equal(client.online, true);
    assert.ok(!statuses.includes("offline"));
    assert.match(errors.map((e) => e.message).join("\n"), /policy-violation: skipped a <message\/> from stranger@hub.test\/x: a stanza longer than the limit of 16384 bytes at byte \d+; the stream stays up/);
  });

  it("answers an iq nested 20 deep with an iq error and stays online", async () => {
    const { answers, pong, client } = await sendOversized(
      `<iq type='get' id='deep' from='stranger@hub.test/x'><query xmlns='urn:x'>${"<a>".repeat(20)}${"</a>".repeat(20)}</query></iq>`,
    );
    assert.equal(answers.length, 1);
    assert.deepEqual({ name: answers[0]!.name, type: answers[0]!.attrs.type, id: answers[0]!.attrs.id }, { name: "iq", type: "error", id: "deep" });
    assert.equal(StanzaError.fromElement(answers[0]!).text, "this device does not read elements nested deeper than the limit of 16 in a stanza");
    assert.equal(pong?.attrs.id, "after");
    assert.equal(client.online, true);
  });

  it("never answers an oversized error stanza, iq result, or stanza without a sender", async () => {
    const body = `<body>${"x".repeat(17 * 1024)}</body>`;
    for (const stanza of [
      `<message type='error' id='e' from='other-device@hub.test/x'>${body}</message>`,
      `<iq type='result' id='r' from='hub.test'><query xmlns='urn:x'>${body}</query></iq>`,
      `<message id='n'>${body}</message>`,
      `<message from='a@hub.test/x' to='${"y".repeat(17 * 1024)}'/>`,
    ]) {
      const { answers, pong, client } = await sendOversized(stanza);
      assert.deepEqual(answers, [], stanza.slice(0, 40));
      assert.equal(pong?.attrs.id, "after");
      assert.equal(client.online, true);
    }
  });
});
