// XEP-0198 in the client: counting both ways, acks, the bounded unacked queue, resumption after a
// drop (with what was not acknowledged, and what was produced meanwhile, sent again), and a fresh
// session when the server will not resume.

import { createElement as xml, type Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeClock, FakeHost, settle } from "../../support/fake-host.js";
import { smSession, XmppTestServer, type SmSession } from "../../support/xmpp-server.js";
import { Client, type ClientOptions, type ClientStatus } from "../../../src/xmpp/client.js";
import { Jid } from "../../../src/xmpp/jid.js";
import { StreamManagement } from "../../../src/xmpp/stream-management.js";
import { chatMessage } from "../../../src/xmpp/messages.js";

const SM = "urn:xmpp:sm:3";
const message = (body: string) => xml("message", { to: "owner@hub.test/phone", type: "chat" }, xml("body", {}, body));
const enabled = (attrs: Record<string, string> = {}) => xml("enabled", { xmlns: SM, id: "abc", resume: "true", max: "60", ...attrs });

describe("stream management state", () => {
  const jid = Jid.parse("device@hub.test/dev");

  it("counts only stanzas, keeps them until acknowledged, and asks for an ack every few", () => {
    const sm = new StreamManagement({ host: new FakeClock(), ackEvery: 3 });
    sm.enabled(enabled(), jid);
    assert.equal(sm.sent(xml("r", { xmlns: SM })), false);
    assert.equal(sm.sent(message("1")), false);
    assert.equal(sm.sent(message("2")), false);
    assert.equal(sm.sent(message("3")), true, "the third unacked stanza asks for an ack");
    assert.equal(sm.sent(message("4")), false, "one request at a time");
    assert.equal(sm.unackedCount, 4);
    sm.receive(xml("a", { xmlns: SM, h: "3" }));
    assert.equal(sm.unackedCount, 1);
    assert.equal(sm.state?.acknowledged, 3);
  });

  it("answers <r/> with the number of stanzas handled", () => {
    const sm = new StreamManagement({ host: new FakeClock() });
    sm.enabled(enabled(), jid);
    sm.received(xml("message", {}));
    sm.received(xml("iq", {}));
    sm.received(xml("a", { xmlns: SM }));
    assert.equal(sm.receive(xml("r", { xmlns: SM }))?.attrs.h, "2");
  });

  it("refuses an ack for more stanzas than were sent", () => {
    const sm = new StreamManagement({ host: new FakeClock() });
    sm.enabled(enabled(), jid);
    sm.sent(message("1"));
    assert.throws(() => sm.receive(xml("a", { xmlns: SM, h: "2" })), /acknowledged 2 stanzas, but only 1 were sent/);
  });

  it("counts across the 32-bit wrap", () => {
    const sm = new StreamManagement({ host: new FakeClock() });
    sm.enabled(enabled(), jid);
    for (let i = 0; i < 3; i++) sm.sent(message(String(i)));
    sm.receive(xml("a", { xmlns: SM, h: "2" }));
    assert.equal(sm.unackedCount, 1);
    // Pretend a long session: acknowledged sits just below the wrap.
    const wrapped = new StreamManagement({ host: new FakeClock() });
    wrapped.enabled(enabled(), jid);
    wrapped.resumed(xml("resumed", { xmlns: SM, h: "0" }));
    assert.throws(() => wrapped.receive(xml("a", { xmlns: SM, h: String(2 ** 32) })), /not a stanza count/);
  });

  it("keeps at most maxUnacked stanzas, reporting the ones it drops", () => {
    const dropped: string[] = [];
    const sm = new StreamManagement({ host: new FakeClock(), maxUnacked: 2, ackEvery: 100, onOverflow: (stanza) => dropped.push(stanza.getChildText("body")!) });
    sm.enabled(enabled(), jid);
    for (const body of ["1", "2", "3"]) sm.sent(message(body));
    assert.deepEqual(dropped, ["1"]);
    assert.deepEqual(sm.state?.unacked.map((s) => s.getChildText("body")), ["2", "3"]);
  });

  it("counts the stanzas it dropped when the server acknowledges them (a flood overflows the queue)", () => {
    const sm = new StreamManagement({ host: new FakeClock(), maxUnacked: 2, ackEvery: 100 });
    sm.enabled(enabled(), jid);
    for (const body of ["1", "2", "3", "4", "5"]) sm.sent(message(body));
    sm.receive(xml("a", { xmlns: SM, h: "2" }));
    assert.deepEqual(sm.state?.unacked.map((s) => s.getChildText("body")), ["4", "5"]);
    sm.receive(xml("a", { xmlns: SM, h: "4" }));
    assert.deepEqual(sm.state?.unacked.map((s) => s.getChildText("body")), ["5"]);
    assert.throws(() => sm.receive(xml("a", { xmlns: SM, h: "6" })), /acknowledged 6 stanzas, but only 5 were sent/);
  });

  it("resumes after an overflow with the server's count, resending what is kept", () => {
    const sm = new StreamManagement({ host: new FakeClock(), maxUnacked: 2, ackEvery: 100 });
    sm.enabled(enabled(), jid);
    for (const body of ["1", "2", "3", "4"]) sm.sent(message(body));
    sm.lost();
    const resend = sm.resumed(xml("resumed", { xmlns: SM, previd: "sm-1", h: "1" }));
    assert.deepEqual(resend.map((s) => s.getChildText("body")), ["3", "4"], "2 was dropped: lost, and reported then");
    for (const stanza of resend) sm.sent(stanza);
    sm.receive(xml("a", { xmlns: SM, h: "3" }));
    assert.equal(sm.unackedCount, 0);
  });

  it("is resumable within the server's window only, and holds what is produced meanwhile", () => {
    const clock = new FakeClock();
    const sm = new StreamManagement({ host: clock });
    sm.enabled(enabled({ max: "60" }), jid);
    sm.sent(message("unacked"));
    assert.equal(sm.hold(message("x")), false, "nothing is held while the stream is up");
    sm.lost();
    assert.ok(sm.resumable);
    assert.ok(sm.hold(message("while down")));
    assert.equal(sm.resumeRequest().attrs.previd, "abc");
    const resend = sm.resumed(xml("resumed", { xmlns: SM, h: "0" }));
    assert.deepEqual(resend.map((s) => s.getChildText("body")), ["unacked", "while down"]);
    sm.lost();
    clock.advance(60_000);
    assert.equal(sm.resumable, false, "the window has passed");
    assert.equal(sm.hold(message("late")), false);
  });

  it("gives back only the messages when the server will not resume, and forgets the session", () => {
    const sm = new StreamManagement({ host: new FakeClock() });
    sm.enabled(enabled(), jid);
    sm.sent(message("acked"));
    sm.sent(xml("presence", {}));
    sm.sent(message("lost"));
    sm.lost();
    const unsent = sm.failed(xml("failed", { xmlns: SM, h: "1" }));
    assert.deepEqual(unsent.map((s) => s.getChildText("body")), ["lost"]);
    assert.equal(sm.state, undefined);
    assert.equal(sm.resumable, false);
  });
});

async function smClient(session: SmSession, options: Partial<ClientOptions> = {}) {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], streamManagement: session });
  const host = new FakeHost({ server: server.connection });
  const statuses: ClientStatus[] = [];
  const client = new Client({ host, jid: "device@hub.test/dev", password: "secret", onStatus: (status) => statuses.push(status), ...options });
  await client.start();
  await settle();
  return { server, host, client, statuses };
}

const bodies = (stanzas: Element[]) => stanzas.filter((s) => s.name === "message").map((s) => s.getChildText("body"));

describe("client with stream management", () => {
  it("enables resumable stream management after binding and answers the server's <r/>", async () => {
    const session = smSession();
    const { server } = await smClient(session);
    assert.ok(server.stanzas.some((s) => s.is("enable", SM) && s.attrs.resume === "true"));
    server.send(`<message type='chat' from='owner@hub.test/phone'><body>one</body></message>`);
    server.send(`<iq type='get' id='p' from='owner@hub.test/phone'><ping xmlns='urn:xmpp:ping'/></iq>`);
    server.send(`<r xmlns='${SM}'/>`);
    await settle();
    assert.equal(session.clientAcked, 3, "the roster result, the message and the ping");
  });

  it("asks for an ack at the end of a write, after the reply's receipt, so the server routes both before it answers", async () => {
    const session = smSession();
    const { server, client } = await smClient(session, {
      onMessage: async (message) => {
        await Promise.resolve();
        client.send(chatMessage(message.from.toString(), `ok: ${message.body}`, client.nextId()));
      },
    });
    const writes: string[] = [];
    server.connection.onReceive((text) => writes.push(text));
    // Each command makes two stanzas: a stanza of the client's own between two rounds moves the
    // ack request (every 8) from one to the other, so that both a reply and a receipt ask.
    for (let i = 1; i <= 16; i++) {
      if (i === 9) client.send(message("between"));
      server.send(`<message type='chat' id='c${i}' from='owner@hub.test/phone'><body>n${i}</body><request xmlns='urn:xmpp:receipts'/></message>`);
      await settle();
    }
    const asking = writes.filter((text) => text.includes(`<r xmlns="${SM}"/>`));
    assert.ok(asking.length >= 2, `an ack request in each round: ${writes.join(" | ")}`);
    for (const text of asking) {
      assert.ok(text.endsWith(`<r xmlns="${SM}"/>`), `the request ends its write: ${text}`);
      assert.ok(text.includes("<received"), `the receipt is in the same write: ${text}`);
    }
  });

  it("resumes after a drop, resends what the server had not acknowledged, then what was produced while down", async () => {
    const session = smSession();
    const { server, host, client, statuses } = await smClient(session);
    client.sendMessage("owner@hub.test/phone", "before the drop");
    await settle();
    session.handled = 2; // the server had the roster get and the initial presence only: the message was lost on the way
    server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    assert.equal(statuses.at(-1), "offline");
    assert.ok(client.canSend, "a session to resume: stanzas are kept");
    client.sendMessage("owner@hub.test/phone", "while down");
    const second = new XmppTestServer({ mechanisms: ["PLAIN"], streamManagement: session });
    host.server = second.connection;
    await client.start();
    await settle();
    assert.equal(statuses.at(-1), "resumed");
    assert.equal(server.binds, 1);
    assert.equal(second.binds, 0, "no new resource binding");
    assert.equal(second.stanzas.filter((s) => s.name === "presence").length, 0, "presence is as it was");
    assert.equal(second.rosterGets, 0, "the roster is as it was: not read again");
    assert.deepEqual(bodies(second.stanzas), ["before the drop", "while down"]);
  });

  it("handles what the server held for it and sends right behind <resumed/>, counting it for the next ack", async () => {
    const session = smSession();
    const received: string[] = [];
    const { server, host, client, statuses } = await smClient(session, { onMessage: (message) => void received.push(message.body) });
    server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    session.resendOnResume = [`<message type='chat' id='held' from='owner@hub.test/phone'><body>sent while down</body></message>`];
    const second = new XmppTestServer({ mechanisms: ["PLAIN"], streamManagement: session });
    host.server = second.connection;
    await client.start();
    await settle();
    assert.equal(statuses.at(-1), "resumed");
    assert.deepEqual(received, ["sent while down"]);
    const acked = session.clientAcked!;
    second.send(`<r xmlns='${SM}'/>`);
    await settle();
    assert.equal(session.clientAcked, acked + 1, "the held stanza is counted as handled");
  });

  it("starts a fresh session when the server will not resume, sending initial presence and the lost messages", async () => {
    const session = smSession();
    const { server, host, client, statuses } = await smClient(session);
    client.sendMessage("owner@hub.test/phone", "reply");
    await settle();
    server.connection.drop();
    await settle();
    session.resumable = false; // the server restarted
    const second = new XmppTestServer({ mechanisms: ["PLAIN"], streamManagement: session });
    host.server = second.connection;
    await client.start();
    await settle();
    assert.equal(statuses.at(-1), "online");
    assert.ok(second.stanzas.some((s) => s.is("resume", SM)));
    assert.equal(second.binds, 1);
    assert.ok(second.stanzas.some((s) => s.name === "presence"));
    assert.ok(second.stanzas.some((s) => s.is("enable", SM)));
    assert.deepEqual(bodies(second.stanzas), ["reply"]);
  });

  it("does not try to resume once the server's window has passed", async () => {
    const session = smSession();
    const { server, host, client } = await smClient(session);
    server.connection.drop();
    await settle();
    host.clock.advance(300_000);
    const second = new XmppTestServer({ mechanisms: ["PLAIN"], streamManagement: session });
    host.server = second.connection;
    await client.start();
    await settle();
    assert.equal(session.resumes, 0, "no <resume/>");
    assert.equal(second.binds, 1);
  });

  it("probes a silent link with <r/> and gives it up when nothing answers within the dead-link time", async () => {
    const session = smSession();
    const { server, host, client, statuses } = await smClient(session, { deadLinkMs: 20_000 });
    host.clock.advance(10_000);
    await settle();
    assert.ok(server.stanzas.some((s) => s.is("r", SM)), "an ack request after 10 s of silence");
    assert.equal(server.pings, 0, "no ping where stream management can ask");
    server.muted = true;
    host.clock.advance(20_000);
    await settle();
    assert.equal(client.online, false);
    assert.equal(statuses.at(-1), "offline");
  });

  it("does not resume after stop(): the session is over", async () => {
    const session = smSession();
    const { host, client } = await smClient(session);
    client.stop();
    await settle();
    assert.equal(client.canSend, false);
    const second = new XmppTestServer({ mechanisms: ["PLAIN"], streamManagement: session });
    host.server = second.connection;
    await client.start();
    assert.ok(!second.stanzas.some((s) => s.is("resume", SM)));
  });
});
