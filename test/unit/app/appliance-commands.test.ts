// The appliance's structured side with the real microwave device: caps in presence, the
// commands in disco, a form filled in and carried out exactly like the chat command (same
// reply, same refusals, nothing changed on refusal), and owners only.

import type { Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { Appliance, CAPS_NODE, type ApplianceEvent } from "../../../src/app/appliance.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { createDevice } from "../../../src/device/create-device.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import { microwave, SOURCE } from "../device/fixtures/microwave.js";
import { COMMANDS, OWNER, command, iq as sendIq, refusal } from "../../support/adhoc.js";

const OVEN = 25;
const FAN = 27;

function kitchen(host: FakeHost) {
  const pins = new FakePins(host.clock);
  pins.temperature("cavity").celsius = 20;
  return { pins, device: createDevice(readDeviceDeclaration(microwave(), SOURCE), { host, pins }) };
}

async function online() {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], username: "microwave" });
  const host = new FakeHost({ server: server.connection });
  const { pins, device } = kitchen(host);
  const events: [ApplianceEvent, string][] = [];
  const config = readConnectionConfig({ jid: "microwave@hub.test/appliance", xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test" });
  const appliance = new Appliance({ host, config, device, onEvent: (event, detail) => events.push([event, detail]) });
  await appliance.start();
  await settle();
  // What the same command sent as a chat line would answer, on a device of its own.
  const reference = kitchen(new FakeHost()).device;
  return { server, host, pins, device, appliance, events, reference };
}

function iq(server: XmppTestServer, payload: string, options: { from?: string; type?: string } = {}): Promise<Element> {
  return sendIq(server, "microwave@hub.test/appliance", payload, { ...options, rounds: 40 });
}

/** Executes `node`, fills the form with `fields`, and returns the completed command element. */
/** Executes `node`, submits its form with `fields` and returns the iq answer (a result or an error). */
async function submitForm(server: XmppTestServer, node: string, fields: Record<string, string>): Promise<Element> {
  const form = command(await iq(server, `<command xmlns='${COMMANDS}' node='${node}' action='execute'/>`));
  assert.equal(form.attrs.status, "executing");
  const values = Object.entries(fields).map(([name, value]) => `<field var='${name}'><value>${value}</value></field>`).join("");
  return iq(server, `<command xmlns='${COMMANDS}' node='${node}' sessionid='${form.attrs.sessionid!}' action='complete'><x xmlns='jabber:x:data' type='submit'>${values}</x></command>`);
}

async function fillIn(server: XmppTestServer, node: string, fields: Record<string, string>): Promise<Element> {
  return command(await submitForm(server, node, fields));
}

function note(completed: Element): { type: string | undefined; text: string } {
  assert.equal(completed.attrs.status, "completed");
  const element = completed.getChild("note")!;
  return { type: element.attrs.type, text: element.getText() };
}

describe("appliance: ad-hoc commands and caps", () => {
  it("puts caps with the firmware's node in its presence, the ver of what disco#info answers", async () => {
    const { server, appliance } = await online();
    const presence = server.stanzas.find((stanza) => stanza.name === "presence" && !stanza.attrs.to)!;
    const c = presence.getChild("c", "http://jabber.org/protocol/caps");
    assert.deepEqual({ ...c?.attrs }, { xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: CAPS_NODE, ver: appliance.client.capsVer! });
    const info = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#info' node='${CAPS_NODE}#${appliance.client.capsVer!}'/>`, { type: "get" });
    const query = info.getChild("query")!;
    assert.deepEqual({ ...query.getChild("identity")!.attrs }, { category: "client", type: "bot", name: "Microwave" });
    const features = query.getChildren("feature").map((feature) => feature.attrs.var);
    for (const feature of [COMMANDS, "jabber:x:data", "http://jabber.org/protocol/caps", "urn:xmpp:receipts", "urn:xmpp:ping"]) {
      assert.ok(features.includes(feature), `${feature} in ${features.join(" ")}`);
    }
  });

  it("lists one command per opcode and status", async () => {
    const { server } = await online();
    const answer = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items' node='${COMMANDS}'/>`, { type: "get" });
    assert.deepEqual(answer.getChild("query")!.getChildren("item").map((item) => ({ ...item.attrs })), [
      { jid: "microwave@hub.test/appliance", node: "PREHEAT", name: "Preheat" },
      { jid: "microwave@hub.test/appliance", node: "GRILL", name: "Grill" },
      { jid: "microwave@hub.test/appliance", node: "STOP", name: "Stop everything" },
      { jid: "microwave@hub.test/appliance", node: "status", name: "Status" },
    ]);
  });

  it("carries out a filled-in PREHEAT like the chat command: the same reply, the oven on, logged", async () => {
    const { server, pins, events, reference } = await online();
    const form = command(await iq(server, `<command xmlns='${COMMANDS}' node='PREHEAT'/>`));
    assert.equal(form.getChild("x", "jabber:x:data")!.getChildren("field").map((field) => field.attrs.var).join(" "), "temp time");
    const done = await fillIn(server, "PREHEAT", { temp: "350", time: "20" });
    assert.deepEqual(note(done), { type: "info", text: await reference.handle("PREHEAT 350 20") });
    assert.equal(note(done).text, "ok: PREHEAT 350 20, for 20 min");
    assert.equal(pins.level(FAN), 1);
    assert.ok(pins.writes(OVEN).includes(1), "the oven's relay switched on");
    assert.ok(events.some(([event, detail]) => event === "command" && detail === "from owner@hub.test/phone: PREHEAT 350 20"));
  });

  for (const [fields, text] of [
    [{ temp: "500", time: "20" }, "PREHEAT 500 20"],
    [{ temp: "350" }, "PREHEAT 350"],
    [{ temp: "350", time: "" }, "PREHEAT 350"],
    [{ temp: "hot", time: "20" }, "PREHEAT hot 20"],
    [{ temp: "350", time: "20m" }, "PREHEAT 350 20m"],
  ] as const) {
    it(`refuses ${JSON.stringify(fields)} with an iq error (bad-payload) whose text is the reason "${text}" gets by chat, and changes nothing`, async () => {
      const { server, pins, reference } = await online();
      const before = [pins.writes(OVEN).length, pins.writes(FAN).length];
      const expected = await reference.handle(text);
      assert.match(expected, /^error: /);
      assert.deepEqual(refusal(await submitForm(server, "PREHEAT", fields)), { type: "modify", condition: "bad-request", specific: "bad-payload", text: expected });
      assert.deepEqual([pins.writes(OVEN).length, pins.writes(FAN).length], before);
    });
  }

  it("runs STOP at once, and answers status with the status text", async () => {
    const { server, pins, device } = await online();
    await fillIn(server, "PREHEAT", { temp: "200", time: "5" });
    const stop = command(await iq(server, `<command xmlns='${COMMANDS}' node='STOP' action='execute'/>`));
    assert.deepEqual(note(stop), { type: "info", text: "ok: STOP: every output is in its safe state" });
    assert.equal(pins.level(FAN), 0);
    const status = command(await iq(server, `<command xmlns='${COMMANDS}' node='status'/>`));
    assert.deepEqual(note(status), { type: "info", text: device.status() });
    assert.match(note(status).text, /^Microwave: status\n/);
  });

  it("publishes the new state as presence after a command", async () => {
    const { server, host } = await online();
    await fillIn(server, "GRILL", { time: "15" });
    host.clock.advance(10_000);
    await settle();
    const statuses = server.stanzas.filter((stanza) => stanza.name === "presence" && !stanza.attrs.to).map((stanza) => stanza.getChildText("status"));
    assert.match(statuses.at(-1) ?? "", /^Grill, 15 min left$/);
  });

  it("refuses a stranger the list and every command with forbidden, changing nothing", async () => {
    const { server, pins, events } = await online();
    const stranger = "stranger@hub.test/x";
    const list = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items' node='${COMMANDS}'/>`, { type: "get", from: stranger });
    assert.equal(list.getChild("error")?.getChild("forbidden", "urn:ietf:params:xml:ns:xmpp-stanzas")?.name, "forbidden");
    const writes = pins.writes(OVEN).length;
    for (const node of ["PREHEAT", "STOP", "status"]) {
      const answer = await iq(server, `<command xmlns='${COMMANDS}' node='${node}' action='execute'/>`, { from: stranger });
      assert.equal(answer.getChild("error")?.attrs.type, "auth");
      assert.ok(answer.getChild("error")?.getChild("forbidden", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    }
    assert.equal(pins.writes(OVEN).length, writes);
    assert.ok(events.some(([event, detail]) => event === "refused" && detail === "from stranger@hub.test/x (not an owner): command PREHEAT"));
  });

  it("forgets open forms when stopped", async () => {
    const { server, host, appliance } = await online();
    const before = host.clock.pending;
    command(await iq(server, `<command xmlns='${COMMANDS}' node='PREHEAT'/>`));
    assert.equal(host.clock.pending, before + 1, "the session's timer");
    appliance.stop();
    await settle();
    assert.equal(host.clock.pending, before - 1, "no session timer left behind (and the keepalive ended with the stream)");
  });
});
