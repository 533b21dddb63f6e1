// The owner library's commands as messages, against a stand-in for @xmpp/client: replies
// matched by thread even out of order, receipts by id, a bounce and a device going offline
// settling at once, and what is typed while the link is down waiting for it or failing as not sent.

import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import type { Client } from "@xmpp/client";
import { parse, type Element } from "ltx";
import { Messages } from "../../owner/messages.js";
import { PresenceBook } from "../../owner/presence-book.js";

const DEVICE = "microwave@hub.test/appliance";

class FakeClient extends EventEmitter {
  status = "online";
  readonly sent: Element[] = [];
  async send(element: Element): Promise<void> {
    if (this.status !== "online") throw new Error("not connected");
    this.sent.push(element);
  }
  receive(xml: string): void {
    this.emit("stanza", parse(xml));
  }
}

function setUp(holdWhileOffline = true) {
  const xmpp = new FakeClient();
  const client = xmpp as unknown as Client;
  const presence = new PresenceBook(client);
  const messages = new Messages(client, { receiptTimeoutMs: 5000, idPrefix: "t", holdWhileOffline, presence });
  xmpp.receive(`<presence from='${DEVICE}'/>`);
  return { xmpp, messages };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("owner library: commands as messages", () => {
  it("matches replies by thread and receipts by id when the device answers out of order", async () => {
    const { xmpp, messages } = setUp();
    const first = messages.send(DEVICE, "PREHEAT 350 20");
    const second = messages.send(DEVICE, "status");
    await tick();
    const [a, b] = xmpp.sent;
    assert.equal(a!.getChildText("thread"), first.thread);
    // The second is answered first (the first waits for an interlock).
    xmpp.receive(`<message type='chat' from='${DEVICE}'><body>status: idle</body><thread>${second.thread}</thread></message>`);
    xmpp.receive(`<message from='${DEVICE}'><received xmlns='urn:xmpp:receipts' id='${b!.attrs.id}'/></message>`);
    xmpp.receive(`<message type='chat' from='${DEVICE}'><body>ok: PREHEAT 350 20</body><thread>${first.thread}</thread></message>`);
    xmpp.receive(`<message from='${DEVICE}'><received xmlns='urn:xmpp:receipts' id='${a!.attrs.id}'/></message>`);
    assert.equal((await second.settled).reply, "status: idle");
    assert.equal((await first.settled).reply, "ok: PREHEAT 350 20");
    assert.equal(first.state, "done");
  });

  it("does not take a reply from someone else in the same thread", async () => {
    const { xmpp, messages } = setUp();
    const message = messages.send(DEVICE, "help");
    xmpp.receive(`<message type='chat' from='stranger@hub.test/x'><body>ok: fake</body><thread>${message.thread}</thread></message>`);
    assert.equal(message.reply, undefined);
  });

  it("settles at once on a bounce with its id, and when the device goes offline", async () => {
    const { xmpp, messages } = setUp();
    const bounced = messages.send(DEVICE, "help");
    xmpp.receive(`<message type='error' id='${bounced.id}' from='${DEVICE}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`);
    assert.equal((await bounced.settled).delivered, false);
    assert.match(bounced.failed ?? "", /not delivered .*service-unavailable/);
    const orphan = messages.send(DEVICE, "GRILL 15");
    xmpp.receive(`<presence type='unavailable' from='${DEVICE}'/>`);
    assert.match((await orphan.settled).failed ?? "", /went offline before it answered/);
  });

  it("holds what is typed while the connection is down and sends it when it is back", async () => {
    const { xmpp, messages } = setUp(true);
    xmpp.status = "disconnect";
    const held = messages.send(DEVICE, "STOP");
    assert.equal(held.state, "waiting");
    assert.equal(xmpp.sent.length, 0);
    xmpp.status = "online";
    xmpp.emit("online");
    await tick();
    assert.equal(xmpp.sent.length, 1);
    assert.equal(xmpp.sent[0]!.getChildText("body"), "STOP");
    assert.equal(held.state, "sent");
  });

  it("without holding, reports a message typed while the connection is down as not sent", async () => {
    const { xmpp, messages } = setUp(false);
    xmpp.status = "disconnect";
    const lost = messages.send(DEVICE, "STOP");
    assert.match((await lost.settled).failed ?? "", /^not sent/);
    assert.equal(lost.delivered, false);
  });
});
