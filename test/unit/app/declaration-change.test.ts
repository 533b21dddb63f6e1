// An owner changes the instruction set of a running device: by chat (`declare {...}`) and by the
// ad-hoc command `declaration`; checked whole as at boot, pins only from the board's map, outputs
// safe first, stored, caps ver and presence changed; refused whole, strangers forbidden; and a
// broken stored declaration at boot falls back to the built-in one with a trace.

import type { Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { COMMANDS, command, iq as sendIq, refusal } from "../../support/adhoc.js";
import { Appliance, type ApplianceEvent } from "../../../src/app/appliance.js";
import { createChangeableDevice } from "../../../src/app/appliance-device.js";
import { readConnectionConfig } from "../../../src/app/config.js";
import { bootDeclaration, DECLARATION_RECORD } from "../../../src/app/declared-device.js";
import { MemorySettingsStore, StoredText } from "../../../src/app/stored-text.js";
import { declaredPins } from "../../../src/device/board-pins.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import type { PinSpecifier } from "../../../src/drivers/io.js";
import { microwave, SOURCE, type Json } from "../device/fixtures/microwave.js";

const JID = "microwave@hub.test/appliance";
const GRILL = 26;
const FAN = 27;

/** A lamp on the microwave's fan pin: a declaration the board allows. */
function lamp(): Json {
  return {
    name: "Lamp",
    drivers: { light: { kind: "relay", pin: FAN } },
    opcodes: [
      { opcode: "LIGHT", task: "Light on", operands: [], action: { set: { light: "on" } } },
      { opcode: "DARK", task: "Light off", operands: [], action: { safe: true } },
    ],
  };
}

async function online() {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"], username: "microwave" });
  const host = new FakeHost({ server: server.connection });
  const pins = new FakePins(host.clock);
  const store = new MemorySettingsStore();
  /** Pins whose next open fails (once). */
  const failing = new Set<PinSpecifier>();
  const builtIn = readDeviceDeclaration(microwave(), SOURCE);
  const logged: string[] = [];
  const { device, attach } = createChangeableDevice(
    {
      builtIn,
      host,
      store,
      board: { pins: declaredPins(builtIn), name: "the test board" },
      openPins: () => ({
        digitalOutput: (pin) => {
          if (failing.delete(pin)) throw new Error(`GPIO ${pin} cannot be an output`);
          return pins.digitalOutput(pin);
        },
        pwmOutput: (pin, hz) => pins.pwmOutput(pin, hz),
        temperatureInput: (name, pin) => pins.temperatureInput(name, pin),
        close() {},
      }),
    },
    (event, detail) => logged.push(`${event} ${detail}`),
  );
  const events: [ApplianceEvent, string][] = [];
  const config = readConnectionConfig({ jid: JID, xmpp_password: "secret", ca: "ca.pem", owner: "owner@hub.test" });
  const appliance = new Appliance({ host, config, device, changeDeclaration: (text) => device.change(text), onEvent: (event, detail) => events.push([event, detail]) });
  attach(appliance);
  await appliance.start();
  await settle();
  return { server, host, pins, store, failing, device, appliance, events, logged };
}

type Online = Awaited<ReturnType<typeof online>>;

/** Sends a chat line as `from` and gives the device's reply. */
async function chat(server: XmppTestServer, body: string, from = "owner@hub.test/phone"): Promise<string> {
  const before = server.stanzas.length;
  server.send(`<message type='chat' id='c${before}' from='${from}'><body>${body}</body></message>`);
  await settle(40);
  const reply = server.stanzas.slice(before).find((stanza) => stanza.name === "message" && stanza.getChildText("body") !== null);
  assert.ok(reply, `a reply to ${body.slice(0, 40)}`);
  return reply.getChildText("body")!;
}

function iq(server: XmppTestServer, payload: string, options: { from?: string; type?: string } = {}): Promise<Element> {
  return sendIq(server, JID, payload, { ...options, rounds: 40 });
}

async function commandNodes(server: XmppTestServer): Promise<string[]> {
  const answer = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items' node='${COMMANDS}'/>`, { type: "get" });
  return answer.getChild("query")!.getChildren("item").map((item) => item.attrs.node!);
}

function lastPresence(server: XmppTestServer): Element {
  return server.stanzas.filter((stanza) => stanza.name === "presence" && !stanza.attrs.to).at(-1)!;
}

/** What an owner or a controller can see of the device: commands, caps, name, what is stored. */
async function seen(setup: Online) {
  const info = await iq(setup.server, `<query xmlns='http://jabber.org/protocol/disco#info'/>`, { type: "get" });
  return {
    nodes: await commandNodes(setup.server),
    ver: setup.appliance.client.capsVer,
    name: info.getChild("query")!.getChild("identity")!.attrs.name,
    stored: new StoredText(setup.store, DECLARATION_RECORD).get(),
  };
}

describe("changing the instruction set on the device", () => {
  it("by chat: outputs safe first, the new one applied, stored, caps ver and presence changed", async () => {
    const setup = await online();
    const { server, pins, store } = setup;
    assert.match(await chat(server, "GRILL 15"), /^ok/);
    assert.equal(pins.level(GRILL), 1);
    const before = await seen(setup);
    const text = JSON.stringify(lamp());
    const reply = await chat(server, `declare ${text}`);
    assert.equal(reply, "ok: the instruction set is now Lamp's: LIGHT, DARK; every output is in its safe state; stored, used from now on and after a restart");
    assert.equal(pins.level(GRILL), 0, "the old device's grill went safe");
    const after = await seen(setup);
    assert.deepEqual(after.nodes, ["LIGHT", "DARK", "status", "declaration"]);
    assert.notEqual(after.ver, before.ver);
    assert.equal(after.name, "Lamp");
    assert.equal(after.stored, text);
    const presence = lastPresence(server);
    assert.equal(presence.getChildText("status"), "new instruction set: Lamp, 2 commands");
    assert.equal(presence.getChild("c", "http://jabber.org/protocol/caps")?.attrs.ver, after.ver);
    assert.match(await chat(server, "LIGHT"), /^ok/);
    assert.equal(pins.level(FAN), 1);
    assert.match(await chat(server, "GRILL 15"), /^error: /, "the old opcodes are gone");
    // The next boot takes the stored one.
    const next = bootDeclaration(readDeviceDeclaration(microwave(), SOURCE), store, { pins: declaredPins(readDeviceDeclaration(microwave(), SOURCE)), name: "b" }, () => {});
    assert.equal(next.name, "Lamp");
  });

  it("by the ad-hoc command: a text-multi form, the same change, and the form answer says ok", async () => {
    const setup = await online();
    const form = command(await iq(setup.server, `<command xmlns='${COMMANDS}' node='declaration' action='execute'/>`));
    const field = form.getChild("x", "jabber:x:data")!.getChild("field")!;
    assert.deepEqual([field.attrs.var, field.attrs.type], ["declaration", "text-multi"]);
    const lines = JSON.stringify(lamp(), null, 1).split("\n").map((line) => `<value>${line}</value>`).join("");
    const done = command(
      await iq(setup.server, `<command xmlns='${COMMANDS}' node='declaration' sessionid='${form.attrs.sessionid!}' action='complete'><x xmlns='jabber:x:data' type='submit'><field var='declaration'>${lines}</field></x></command>`),
    );
    assert.equal(done.attrs.status, "completed");
    assert.match(done.getChildText("note") ?? "", /^ok: the instruction set is now Lamp's/);
    assert.deepEqual((await seen(setup)).nodes, ["LIGHT", "DARK", "status", "declaration"]);
  });

  /** Each spoils the lamp in place, or gives the text to send instead. */
  const refused: [string, (declaration: Json) => string | void, RegExp][] = [
    ["an unknown driver kind", (d) => { d.drivers.light.kind = "motor"; }, /^error: declaration: config\.device\.drivers\.light\.kind: unknown driver kind "motor"/],
    ["a pin the board's map does not declare", (d) => { d.drivers.light.pin = 5; }, /^error: declaration: config\.device\.drivers\.light\.pin: pin 5 is not in the pin map of the test board \(13, 25, 26, 27, 34\): use one of these/],
    ["an opcode acting on an undeclared driver", (d) => { d.opcodes[0].action.set = { lamp: "on" }; }, /^error: declaration: config\.device\.opcodes\[0\]\.action\.set\.lamp: /],
    ["text that is not JSON", () => "{name: Lamp", /^error: declaration: config\.device: not JSON/],
    ["a declare with nothing after it", () => "", /^error: declaration: config\.device: not JSON/],
  ];
  for (const [what, spoil, reason] of refused) {
    it(`refuses ${what} whole, naming the key, and changes nothing`, async () => {
      const setup = await online();
      assert.match(await chat(setup.server, "GRILL 15"), /^ok/);
      const before = await seen(setup);
      const writes = setup.pins.log.length;
      const declaration = lamp();
      const spoiled = spoil(declaration);
      const text = typeof spoiled === "string" ? spoiled : JSON.stringify(declaration);
      const reply = await chat(setup.server, `declare ${text}`);
      assert.match(reply, reason);
      assert.match(reply, /; nothing was changed$/);
      assert.deepEqual(await seen(setup), before);
      assert.equal(setup.pins.log.length, writes, "no pin touched: the grill still runs");
      assert.equal(setup.pins.level(GRILL), 1);
    });
  }

  it("refuses a stranger by chat and by ad-hoc (forbidden), changing nothing", async () => {
    const setup = await online();
    const before = await seen(setup);
    const stranger = "stranger@hub.test/x";
    assert.match(await chat(setup.server, `declare ${JSON.stringify(lamp())}`, stranger), /^error: stranger@hub\.test is not an owner/);
    const answer = await iq(setup.server, `<command xmlns='${COMMANDS}' node='declaration' action='execute'/>`, { from: stranger });
    assert.equal(refusal(answer).condition, "forbidden");
    assert.deepEqual(await seen(setup), before);
  });

  it("puts the previous declaration back, stored and opened, when a pin of the new one cannot be opened", async () => {
    const setup = await online();
    const first = JSON.stringify(lamp());
    assert.match(await chat(setup.server, `declare ${first}`), /^ok/);
    const before = await seen(setup);
    // The next open of FAN fails once (a GPIO the chip refuses): the new declaration's, not the old one's reopening.
    setup.failing.add(FAN);
    const second = lamp();
    second.name = "Porch";
    const reply = await chat(setup.server, `declare ${JSON.stringify(second)}`);
    assert.match(reply, /^error: the new declaration's pins cannot be opened \(GPIO 27 cannot be an output\); the previous one runs again, its outputs in their safe state$/);
    assert.deepEqual(await seen(setup), before);
    assert.equal(setup.device.declaration.name, "Lamp");
    assert.match(await chat(setup.server, "LIGHT"), /^ok/);
  });

  it("refuses a declaration it cannot store, changing nothing", async () => {
    const setup = await online();
    const before = await seen(setup);
    setup.store.set = () => {
      throw new Error("flash full");
    };
    assert.equal(await chat(setup.server, `declare ${JSON.stringify(lamp())}`), "error: the new declaration cannot be stored (flash full); nothing was changed");
    assert.deepEqual((await seen(setup)).nodes, before.nodes);
    assert.equal(setup.device.declaration.name, "Microwave");
  });
});

describe("the declaration at boot", () => {
  const builtIn = readDeviceDeclaration(microwave(), SOURCE);
  const board = { pins: declaredPins(builtIn), name: "the test board" };

  it("is the built-in one when nothing is stored", () => {
    const logged: string[] = [];
    assert.equal(bootDeclaration(builtIn, new MemorySettingsStore(), board, (event, detail) => logged.push(`${event} ${detail}`)), builtIn);
    assert.deepEqual(logged, []);
  });

  for (const [what, text, reason] of [
    ["not JSON", "{", /stored declaration: config\.device: not JSON/],
    ["refused by today's rules", JSON.stringify({ ...lamp(), grace_s: -1 }), /stored declaration: config\.device\.grace_s: /],
    ["on a pin the board no longer has", JSON.stringify({ ...lamp(), drivers: { light: { kind: "relay", pin: 4 } } }), /stored declaration: config\.device\.drivers\.light\.pin: pin 4 is not in the pin map/],
  ] as const) {
    it(`falls back to the built-in one, with a trace naming the key, when the stored one is ${what}`, () => {
      const store = new MemorySettingsStore();
      new StoredText(store, DECLARATION_RECORD).set(text);
      const logged: string[] = [];
      assert.equal(bootDeclaration(builtIn, store, board, (event, detail) => logged.push(`${event} ${detail}`)), builtIn);
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /^declaration the stored declaration is broken and is not used: /);
      assert.match(logged[0]!, reason);
      assert.match(logged[0]!, /running the built-in one \(Microwave\)/);
    });
  }
});
