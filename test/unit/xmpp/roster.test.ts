// The roster the device reads at login and keeps current from pushes, and whether an owner still
// needs a subscription request; then the client asking for it with its initial presence, in one
// write, and going online before the answer (what follows the roster waits for it: onRoster).

import { parse, type Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { onlineClient } from "../../support/online-client.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { Client, type ClientOptions } from "../../../src/xmpp/client.js";
import { isOwnPush, Roster } from "../../../src/xmpp/roster.js";

/** A server that reads the roster get and leaves it unanswered; `held` has the gets. */
function holdingServer(roster: { jid: string; subscription: string }[] = []) {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], roster });
  const held: Element[] = [];
  server.intercept = (stanza) => {
    if (!stanza.getChild("query", "jabber:iq:roster") || stanza.attrs.type !== "get") return undefined;
    held.push(stanza);
    return "";
  };
  return { server, held };
}

/** Starts the client; fails at once (not at the test's timeout) when it is not online before the roster's answer. */
async function onlineBeforeRoster(client: Client): Promise<void> {
  let online = false;
  const started = client.start().then(() => {
    online = true;
  });
  await settle(2000); // the whole login, on promise jobs alone
  assert.ok(online, "online with the roster get unanswered");
  await started;
}

function heldClient(server: XmppTestServer, options: Partial<ClientOptions> = {}) {
  const rosters: string[] = [];
  const errors: string[] = [];
  const host = new FakeHost({ server: server.connection });
  const client = new Client({
    host, jid: "device@hub.test/dev", password: "secret", deadLinkMs: 0, timeoutMs: 5_000,
    onRoster: (roster) => rosters.push(roster.known ? roster.items.map((item) => `${item.jid} ${item.subscription}`).join(",") : "unknown"),
    onError: (error) => errors.push(error.message),
    ...options,
  });
  return { host, client, rosters, errors };
}

const query = (items: string): Element => parse(`<query xmlns='jabber:iq:roster'>${items}</query>`) as Element;

describe("roster", () => {
  it("needs no subscription request for a contact we see (to, both) or have asked (ask='subscribe'), and one for the rest", () => {
    const roster = new Roster();
    roster.apply(
      query(
        `<item jid='to@hub.test' subscription='to'/><item jid='both@hub.test' subscription='both'/>` +
          `<item jid='Asked@hub.test' subscription='none' ask='subscribe'/><item jid='from@hub.test' subscription='from' ask='subscribe'/>` +
          `<item jid='fromonly@hub.test' subscription='from'/><item jid='none@hub.test' subscription='none'/>`,
      ),
      true,
    );
    const needs = ["to", "both", "asked", "from", "fromonly", "none", "absent"].filter((name) => roster.needsSubscription(`${name}@hub.test/phone`));
    assert.deepEqual(needs, ["fromonly", "none", "absent"]);
  });

  it("asks everyone while no whole roster has been read, or after it was forgotten", () => {
    const roster = new Roster();
    roster.apply(query(`<item jid='to@hub.test' subscription='to'/>`), false); // a push alone
    assert.equal(roster.known, false);
    assert.equal(roster.needsSubscription("to@hub.test"), true);
    roster.apply(query(`<item jid='to@hub.test' subscription='to'/>`), true);
    assert.equal(roster.needsSubscription("to@hub.test"), false);
    roster.forget();
    assert.equal(roster.needsSubscription("to@hub.test"), true);
  });

  it("follows pushes: a new item, a change, a removal; a result replaces everything; no query is an empty roster", () => {
    const roster = new Roster();
    roster.apply(query(`<item jid='a@hub.test' subscription='none' ask='subscribe'/><item jid='b@hub.test' subscription='both'/>`), true);
    roster.apply(query(`<item jid='a@hub.test' subscription='to'/>`), false);
    roster.apply(query(`<item jid='b@hub.test' subscription='remove'/>`), false);
    roster.apply(query(`<item jid='c@hub.test' subscription='from'/>`), false);
    assert.deepEqual(roster.items.map((item) => `${item.jid} ${item.subscription}${item.pending ? " pending" : ""}`), ["a@hub.test to", "c@hub.test from"]);
    roster.apply(undefined, true);
    assert.deepEqual(roster.items, []);
    assert.equal(roster.known, true);
  });

  it("believes pushes from the account itself or with no sender only", () => {
    assert.equal(isOwnPush(undefined, "device@hub.test/dev"), true);
    assert.equal(isOwnPush("Device@hub.test", "device@hub.test/dev"), true);
    assert.equal(isOwnPush("device@hub.test/other", "device@hub.test/dev"), true);
    assert.equal(isOwnPush("owner@hub.test", "device@hub.test/dev"), false);
    assert.equal(isOwnPush("hub.test", "device@hub.test/dev"), false);
  });
});

describe("client roster", () => {
  it("reads the roster before sending initial presence, and knows it once online", async () => {
    const server = new XmppTestServer({ mechanisms: ["PLAIN"], roster: [{ jid: "owner@hub.test", subscription: "both" }] });
    const order: string[] = [];
    server.intercept = (stanza) => {
      if (stanza.is("presence") || stanza.getChild("query", "jabber:iq:roster")) order.push(stanza.name);
      return undefined;
    };
    const client = new Client({ host: new FakeHost({ server: server.connection }), jid: "device@hub.test/dev", password: "secret" });
    await client.start();
    assert.deepEqual(order, ["iq", "presence"]);
    assert.equal(server.rosterGets, 1);
    assert.equal(client.roster.known, true);
    assert.equal(client.roster.get("owner@hub.test")?.subscription, "both");
  });

  it("sends the roster get and initial presence in one write, the get first, and is online before the roster's answer", async () => {
    const { server, held } = holdingServer([{ jid: "owner@hub.test", subscription: "both" }]);
    const { client, rosters } = heldClient(server);
    await onlineBeforeRoster(client);
    const writes = server.connection.received.filter((text) => text.includes("jabber:iq:roster") || text.includes("<presence"));
    assert.equal(writes.length, 1, `one write holds both: ${writes.join(" | ")}`);
    assert.ok(writes[0]!.indexOf("jabber:iq:roster") < writes[0]!.indexOf("<presence"), "the roster get goes first");
    assert.equal(held.length, 1);
    assert.deepEqual(rosters, [], "onRoster waits for the answer");
    server.send(`<iq type='result' id='${held[0]!.attrs.id}'><query xmlns='jabber:iq:roster'><item jid='owner@hub.test' subscription='both'/></query></iq>`);
    await settle();
    assert.deepEqual(rosters, ["owner@hub.test both"]);
    assert.equal(client.roster.get("owner@hub.test")?.subscription, "both");
  });

  it("hands on an unknown roster when the server answers the get with an error after online, with one line", async () => {
    const { server, held } = holdingServer();
    const { client, rosters, errors } = heldClient(server);
    await onlineBeforeRoster(client);
    server.send(`<iq type='error' id='${held[0]!.attrs.id}'><error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
    await settle();
    assert.deepEqual(rosters, ["unknown"]);
    assert.equal(client.online, true);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /the server did not give the roster \(.*\); subscriptions are asked for as if it were empty/);
  });

  it("hands on an unknown roster when the get is not answered within the time limit, and stays online", async () => {
    const { server } = holdingServer();
    const { host, client, rosters, errors } = heldClient(server);
    await onlineBeforeRoster(client);
    host.clock.advance(4_999);
    await settle();
    assert.deepEqual(rosters, []);
    host.clock.advance(1);
    await settle();
    assert.deepEqual(rosters, ["unknown"]);
    assert.equal(client.online, true);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /the server did not give the roster/);
  });

  it("forgets the roster read of a stream that ended before its answer: no onRoster, no error, offline reported", async () => {
    const { server } = holdingServer();
    const statuses: string[] = [];
    const { client, rosters, errors } = heldClient(server, { onStatus: (status) => statuses.push(status) });
    await onlineBeforeRoster(client);
    server.connection.drop(new Error("Wi-Fi lost"));
    await settle();
    assert.deepEqual(rosters, []);
    assert.deepEqual(errors, []);
    assert.equal(statuses.at(-1), "offline");
  });

  it("takes roster pushes from its own account, answering them, and refuses one from anyone else", async () => {
    const { server, client } = await onlineClient();
    server.send(`<iq type='set' id='push1'><query xmlns='jabber:iq:roster'><item jid='owner@hub.test' subscription='none' ask='subscribe'/></query></iq>`);
    server.send(`<iq type='set' id='push2' from='stranger@hub.test/x'><query xmlns='jabber:iq:roster'><item jid='owner@hub.test' subscription='both'/></query></iq>`);
    await settle();
    const answers = server.stanzas.filter((s) => s.is("iq")).map((s) => `${s.attrs.id} ${s.attrs.type}${s.getChild("error")?.getChild("service-unavailable") ? " service-unavailable" : ""}`);
    assert.deepEqual(answers, ["push1 result", "push2 error service-unavailable"]);
    assert.equal(client.roster.get("owner@hub.test")?.pending, true);
    assert.equal(client.roster.needsSubscription("owner@hub.test"), false);
  });

  it("goes online without a roster the server refuses, reporting it, and then asks everyone", async () => {
    const server = new XmppTestServer({ mechanisms: ["PLAIN"], refuseRoster: "service-unavailable" });
    const errors: string[] = [];
    const client = new Client({ host: new FakeHost({ server: server.connection }), jid: "device@hub.test/dev", password: "secret", onError: (error) => errors.push(error.message) });
    await client.start();
    await settle();
    assert.ok(server.stanzas.some((s) => s.is("presence")), "initial presence sent");
    assert.equal(client.roster.known, false);
    assert.equal(client.roster.needsSubscription("owner@hub.test"), true);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /the server did not give the roster \(.*\); subscriptions are asked for as if it were empty/);
  });
});
