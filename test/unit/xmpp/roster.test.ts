// The roster the device reads at login and keeps current from pushes, and whether an owner still
// needs a subscription request; then the client reading it before initial presence.

import { parse, type Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { onlineClient } from "../../support/online-client.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { Client } from "../../../src/xmpp/client.js";
import { isOwnPush, Roster } from "../../../src/xmpp/roster.js";

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
