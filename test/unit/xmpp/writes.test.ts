// What one incoming stanza makes the client send leaves in one write (one TCP segment, one TLS
// record): a reply and its receipt sent as two writes wait on the peer's delayed ACK under Nagle.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { onlineClient } from "../../support/online-client.js";
import { Client } from "../../../src/xmpp/client.js";

const online = onlineClient;

const command = (id: string, body = "status") =>
  `<message type='chat' id='${id}' from='owner@hub.test/phone'><body>${body}</body><request xmlns='urn:xmpp:receipts'/></message>`;

/** The stanza names (with the receipt marked) in each write the client made. */
function writes(server: XmppTestServer): string[] {
  return server.connection.received.map((chunk) =>
    [...chunk.matchAll(/<(message|iq|presence)\b[^>]*>(<(body|received)\b)?/g)].map((m) => (m[3] === "received" ? "receipt" : m[3] === "body" ? "reply" : m[1])).join(" "),
  );
}

describe("client writes", () => {
  it("sends a message's reply, a presence update and the receipt in one write, the receipt last", async () => {
    const { server, client } = await online({
      onMessage: async (message) => {
        await Promise.resolve(); // the device acts
        client.setStatus("preheating");
        client.sendMessage(message.from, "ok: PREHEAT 350 20");
      },
    });
    server.send(command("m1", "PREHEAT 350 20"));
    await settle();
    assert.deepEqual(writes(server), ["presence reply receipt"]);
    const [presence, reply, receipt] = server.stanzas;
    assert.equal(presence?.getChildText("status"), "preheating");
    assert.equal(reply?.getChildText("body"), "ok: PREHEAT 350 20");
    assert.equal(receipt?.getChild("received", "urn:xmpp:receipts")?.attrs.id, "m1");
  });

  it("logs in with the roster get and initial presence in one write, each sent once, also to a server that answers within that write", async () => {
    const server = new XmppTestServer({ mechanisms: ["PLAIN"] }); // answers the get as it is written
    const client = new Client({ host: new FakeHost({ server: server.connection }), jid: "device@hub.test/dev", password: "secret" });
    await client.start();
    await settle();
    assert.ok(client.online);
    assert.deepEqual(writes(server).filter((names) => names !== ""), ["iq", "iq presence"], "the bind request, then the roster get with the presence");
    assert.equal(server.rosterGets, 1);
    assert.equal(server.stanzas.filter((s) => s.is("presence")).length, 1);
  });

  it("answers an iq in one write with what its handler sent", async () => {
    const { server, client } = await online();
    client.handleIq("command", "urn:test", async () => {
      client.setStatus("busy");
      return undefined;
    });
    server.send(`<iq type='set' id='c1' from='owner@hub.test/phone'><command xmlns='urn:test'/></iq>`);
    await settle();
    assert.deepEqual(writes(server), ["presence iq"]);
  });

  it("writes the answers to stanzas that arrived together once every handler is done, each reply before its receipt", async () => {
    const { server, client } = await online({
      onMessage: async (message) => {
        await Promise.resolve();
        client.sendMessage(message.from, `ok: ${message.id}`);
      },
    });
    server.send(command("a") + command("b") + command("c"));
    await settle();
    assert.equal(server.connection.received.length, 1, "one write");
    const order = server.stanzas.map((s) => s.getChild("received")?.attrs.id ?? s.getChildText("body"));
    for (const id of ["a", "b", "c"]) assert.ok(order.indexOf(`ok: ${id}`) < order.indexOf(id), `reply ${id} before its receipt in ${order.join(", ")}`);
    assert.equal(order.length, 6);
  });

  it("does not hold other stanzas longer than 20 ms behind a slow handler, and still sends its reply with its receipt", async () => {
    let finish!: () => void;
    const { server, host, client } = await online({
      onMessage: async (message) => {
        await new Promise<void>((resolve) => (finish = resolve)); // an interlock wait, say
        client.sendMessage(message.from, "ok: done");
      },
    });
    server.send(command("slow"));
    await settle();
    client.setStatus("heating"); // sent while the slow handler holds the stream, by no handler
    await settle();
    assert.deepEqual(writes(server), [], "the presence waits for the slow handler a little");
    host.clock.advance(19);
    assert.deepEqual(writes(server), []);
    host.clock.advance(1);
    assert.deepEqual(writes(server), ["presence"], "and leaves after 20 ms");
    finish();
    await settle();
    assert.deepEqual(writes(server), ["presence", "reply receipt"]);
    assert.equal(host.clock.pending > 0, true, "the keepalive timer is still there");
  });

  it("writes an answer on the next turn once its handler is done, not behind a slower one, reply with its receipt", async () => {
    const finish: Array<() => void> = [];
    const { server, host, client } = await online({
      onMessage: async (message) => {
        if (message.id === "slow") await new Promise<void>((resolve) => finish.push(resolve));
        else await Promise.resolve();
        client.sendMessage(message.from, `ok: ${message.id}`);
      },
    });
    server.send(command("slow"));
    await settle();
    server.send(command("quick"));
    await settle();
    assert.deepEqual(writes(server), [], "not before the turn is over");
    host.clock.advance(0);
    assert.deepEqual(writes(server), ["reply receipt"], "the quick command's reply and receipt, together, without waiting 20 ms");
    assert.equal(server.stanzas[0]?.getChildText("body"), "ok: quick");
    finish[0]!();
    await settle();
    assert.deepEqual(writes(server), ["reply receipt", "reply receipt"]);
    assert.equal(server.stanzas[2]?.getChildText("body"), "ok: slow");
  });

  it("writes that answer on the host's defer where it has one (Node's 0 ms timer waits 1 ms), not on a timer", async () => {
    const finish: Array<() => void> = [];
    const deferred: Array<() => void> = [];
    const { server, host, client } = await online({
      onMessage: async (message) => {
        if (message.id === "slow") await new Promise<void>((resolve) => finish.push(resolve));
        else await Promise.resolve();
        client.sendMessage(message.from, `ok: ${message.id}`);
      },
    });
    (host as { defer?: (callback: () => void) => void }).defer = (callback) => deferred.push(callback);
    server.send(command("slow"));
    await settle();
    server.send(command("quick"));
    server.send(command("quick2"));
    await settle();
    assert.equal(deferred.length, 1, "one deferred flush for the answers of this turn");
    host.clock.advance(0);
    assert.deepEqual(writes(server), [], "no 0 ms timer");
    deferred.shift()!();
    assert.deepEqual(writes(server), ["reply reply receipt receipt"], "both quick answers in one write, their receipts after them");
    finish[0]!();
    await settle();
    assert.deepEqual(writes(server), ["reply reply receipt receipt", "reply receipt"]);
    assert.equal(deferred.length, 0, "the last hold released writes at once");
  });

  it("writes at once what it holds once it reaches 4,096 characters, in order", async () => {
    const { server, client } = await online({
      onMessage: async (message) => {
        for (let i = 0; i < 3; i++) client.sendMessage(message.from, `${i} ${"x".repeat(1500)}`);
      },
    });
    server.send(command("big"));
    await settle();
    assert.deepEqual(writes(server), ["reply reply reply", "receipt"]);
    assert.deepEqual(server.stanzas.map((s) => s.getChildText("body")?.slice(0, 1) ?? "receipt"), ["0", "1", "2", "receipt"]);
  });

  it("sends what it holds before the end of the stream when stopped", async () => {
    let finish!: () => void;
    const { server, client } = await online({
      onMessage: async (message) => {
        client.sendMessage(message.from, "ok: stopping");
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    server.send(command("last"));
    await settle();
    client.stop();
    assert.equal(server.connection.received.length, 1);
    assert.match(server.connection.received[0]!, /^<message[^>]*><body>ok: stopping<\/body><\/message><\/stream:stream>$/);
    finish();
    await settle();
  });

  it("ends the stream, reported as offline, when the held write is refused", async () => {
    const statuses: [string, string][] = [];
    const { server, client } = await online({
      onStatus: (status, detail) => statuses.push([status, detail]),
      onMessage: async (message) => {
        server.connection.closed = true; // the host refuses every write from now on
        client.sendMessage(message.from, "ok");
      },
    });
    server.send(command("m"));
    await settle();
    assert.equal(client.online, false);
    assert.deepEqual(statuses.at(-1), ["offline", "connection-closed: cannot send: the connection is closed"]);
  });
});
