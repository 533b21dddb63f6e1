// The instruction set over XMPP against a real Prosody: an owner and a stranger on @xmpp/client
// talk to the desktop microwave; replies, receipts after execution, and pins that move only
// for valid commands from owners. Also a device declared only in a test manifest.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { startTestHub, type Hub } from "../support/prosody.js";
import { hubClient } from "../support/hub-client.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";

const MICROWAVE = { user: "microwave", password: "device-secret" };
const FOUNTAIN = { user: "fountain", password: "fountain-secret" };
const OWNER = { user: "owner", password: "owner-secret" };
const STRANGER = { user: "stranger", password: "stranger-secret" };

interface Answer {
  reply: string;
  /** Whether the receipt came, and after the reply. */
  receiptAfterReply: boolean;
}

/** Sends `body` with a receipt request and waits for the reply and the receipt. */
function ask(client: Client, to: string, body: string, timeoutMs = 10_000): Promise<Answer> {
  const id = `q-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    let reply: string | undefined;
    let receiptAfterReply = false;
    const onStanza = (stanza: Element) => {
      if (!stanza.is("message") || stanza.attrs.from !== to) return;
      const text = stanza.getChildText("body");
      if (text !== null && reply === undefined) reply = text;
      if (stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id === id) {
        receiptAfterReply = reply !== undefined;
        client.off("stanza", onStanza);
        clearTimeout(timer);
        resolve({ reply: reply ?? "", receiptAfterReply });
      }
    };
    const timer = setTimeout(() => {
      client.off("stanza", onStanza);
      reject(new Error(`no receipt for "${body}" within ${timeoutMs} ms (reply: ${reply ?? "none"})`));
    }, timeoutMs);
    client.on("stanza", onStanza);
    client.send(xml("message", { type: "chat", to, id }, xml("body", {}, body), xml("request", { xmlns: "urn:xmpp:receipts" }))).catch(reject);
  });
}

/** The pin lines the device logged since `from`. */
function pinLines(device: DeviceRun, from: number): string[] {
  return device.output().slice(from).split("\n").filter((line) => / pin\s/.test(line));
}

describe("commands over XMPP", function () {
  this.timeout(90_000);
  let hub: Hub;
  let scratch: string;

  before(async () => {
    hub = await startTestHub([MICROWAVE, FOUNTAIN, OWNER, STRANGER]);
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-commands-"));
  });

  after(async () => {
    await hub?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  describe("the example microwave", () => {
    let device: DeviceRun;
    let owner: Client;
    let stranger: Client;
    let to: string;

    before(async () => {
      device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
      await device.waitFor(/online\s+\S+/);
      to = `${MICROWAVE.user}@${hub.domain}/appliance`;
      owner = hubClient(hub, OWNER, { resource: "phone" });
      stranger = hubClient(hub, STRANGER, { resource: "laptop" });
      for (const client of [owner, stranger]) client.on("error", () => {});
      await owner.start();
      await stranger.start();
    });

    after(async () => {
      await owner?.stop().catch(() => {});
      await stranger?.stop().catch(() => {});
      await device?.stop();
    });

    it("shows owners what it does in its presence status, after they subscribe", async () => {
      const statuses: string[] = [];
      owner.on("stanza", (stanza: Element) => {
        if (stanza.is("presence") && stanza.attrs.from === to && !stanza.attrs.type) statuses.push(stanza.getChildText("status") ?? "");
      });
      await owner.send(xml("presence", { to: `${MICROWAVE.user}@${hub.domain}`, type: "subscribe" }));
      await owner.send(xml("presence", {}));
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && statuses.length === 0) await new Promise((r) => setTimeout(r, 50));
      assert.ok(statuses.length > 0, "the device approved the owner's subscription and its presence arrived");
      await ask(owner, to, "PREHEAT 120 30");
      // Updates are rate-limited to one per 10 s: wait for the one after the command.
      const until = Date.now() + 15_000;
      while (Date.now() < until && !statuses.some((status) => /^Preheat 120 C, 30 min left$/.test(status))) await new Promise((r) => setTimeout(r, 100));
      assert.ok(statuses.some((status) => /^Preheat 120 C, 30 min left$/.test(status)), `statuses seen: ${JSON.stringify(statuses)}`);
      await ask(owner, to, "STOP");
    });

    it("answers help with the instruction set, then the receipt", async () => {
      const { reply, receiptAfterReply } = await ask(owner, to, "help");
      assert.ok(receiptAfterReply);
      for (const expected of ["PREHEAT", "GRILL", "STOP", "Preheat", "Grill"]) assert.match(reply, new RegExp(expected));
      assert.match(reply, /50.400/);
      assert.match(reply, /status/);
    });

    it("carries out the paper's PREHEAT 350 20 before it acknowledges it", async () => {
      const from = device.output().length;
      const { reply, receiptAfterReply } = await ask(owner, to, "PREHEAT 350 20");
      assert.match(reply, /^ok/);
      assert.ok(receiptAfterReply, "the receipt follows the reply");
      const pins = pinLines(device, from);
      assert.ok(pins.some((line) => /\(oven\)/.test(line)), `the oven's pin moved:\n${device.output().slice(from)}`);
      const status = await ask(owner, to, "status");
      assert.match(status.reply, /PREHEAT 350 20/);
      assert.match(status.reply, /left/);
    });

    it("carries out GRILL 15 and STOP", async () => {
      const grill = await ask(owner, to, "grill 15");
      assert.match(grill.reply, /^ok/);
      const from = device.output().length;
      const stop = await ask(owner, to, "STOP");
      assert.match(stop.reply, /^ok/);
      const status = await ask(owner, to, "status");
      assert.match(status.reply, /nothing running/);
      assert.ok(pinLines(device, from).length > 0, "STOP moved pins back to safe");
    });

    for (const [command, reason] of [
      ["PREHEAT 500 20", /^error: .*temp.*between 50 and 400/],
      ["PREHEAT 350", /^error: PREHEAT takes 2 operands/],
      ["GRILL fifteen", /^error: .*time/],
      ["DEFROST 3", /^error: unknown command "DEFROST"/],
    ] as const) {
      it(`refuses "${command}" with the reason, changes nothing, and still acknowledges it`, async () => {
        const from = device.output().length;
        const { reply, receiptAfterReply } = await ask(owner, to, command);
        assert.match(reply, reason);
        assert.ok(receiptAfterReply);
        assert.deepEqual(pinLines(device, from), []);
      });
    }

    it("refuses a stranger's command and help: an error reply, no pin changes", async () => {
      const from = device.output().length;
      for (const command of ["GRILL 15", "help"]) {
        const { reply, receiptAfterReply } = await ask(stranger, to, command);
        assert.match(reply, /^error: stranger@hub\.test is not an owner/);
        assert.ok(receiptAfterReply);
      }
      assert.deepEqual(pinLines(device, from), []);
      assert.match(device.output().slice(from), /refused\s+from stranger@/);
    });
  });

  it("runs a device declared only in a test manifest, with no code of its own", async () => {
    const manifest = join(scratch, "fountain.json");
    writeFileSync(
      manifest,
      JSON.stringify({
        config: {
          device: {
            name: "Garden fountain",
            drivers: { pump: { kind: "relay", pin: 5, max_on_s: 600 }, lights: { kind: "dimmer", pin: 6 } },
            opcodes: [
              { opcode: "PUMP", task: "Run the pump", operands: [{ name: "time", type: "duration", unit: "s", min: 1, max: 300 }], action: { set: { pump: "on" }, for: "$time" } },
              { opcode: "GLOW", task: "Light level", operands: [{ name: "level", type: "integer", unit: "%", min: 0, max: 100 }], action: { set: { lights: "$level" } } },
            ],
          },
        },
      }),
    );
    const device = runDevice(manifest, deviceSettings(hub, FOUNTAIN, OWNER.user));
    const owner = hubClient(hub, OWNER, { resource: "garden" });
    owner.on("error", () => {});
    try {
      await device.waitFor(/online\s+\S+/);
      await owner.start();
      const to = `${FOUNTAIN.user}@${hub.domain}/appliance`;
      const help = await ask(owner, to, "help");
      assert.match(help.reply, /Garden fountain/);
      assert.match(help.reply, /PUMP/);
      const from = device.output().length;
      const pump = await ask(owner, to, "pump 2");
      assert.match(pump.reply, /^ok/);
      assert.ok(pinLines(device, from).some((line) => /\(pump\)/.test(line)));
      await device.waitFor(/pin.*\(pump\).*(-> 0|off)/, 10_000, from + 1 + device.output().slice(from).search(/\(pump\)/));
    } finally {
      await owner.stop().catch(() => {});
      await device.stop();
    }
  });

  it("stops before touching a pin when the declaration is wrong, naming the manifest and the key", async () => {
    const manifest = join(scratch, "broken.json");
    writeFileSync(
      manifest,
      JSON.stringify({
        config: {
          device: {
            name: "Broken",
            drivers: { pump: { kind: "relay", pin: 5 } },
            opcodes: [{ opcode: "PUMP", task: "Run", operands: [], action: { set: { valve: "on" } } }],
          },
        },
      }),
    );
    const device = runDevice(manifest, deviceSettings(hub, FOUNTAIN, OWNER.user));
    assert.equal(await device.exit, 2);
    assert.match(device.output(), /broken\.json: config\.device\.opcodes\[0\]\.action\.set\.valve/);
    assert.doesNotMatch(device.output(), / pin\s| connecting /);
  });
});

describe("the other example devices", function () {
  this.timeout(60_000);
  let hub: Hub;
  const accounts = { relayboard: { user: "relayboard", password: "rb-secret" }, heater: { user: "heater", password: "heater-secret" } };

  before(async () => {
    hub = await startTestHub([accounts.relayboard, accounts.heater, OWNER]);
  });
  after(async () => hub?.stop());

  for (const [name, opcodes, command] of [
    ["relayboard", ["UP", "DOWN", "LIGHT", "STOP"], "UP 2"],
    ["heater", ["HEAT", "BOOST", "FAN", "OFF"], "HEAT 21"],
  ] as const) {
    it(`runs devices/${name} from its manifest alone: help lists ${opcodes.join(", ")}, ${command} works`, async () => {
      const manifest = new URL(`../../../devices/${name}/manifest.json`, import.meta.url).pathname;
      const device = runDevice(manifest, deviceSettings(hub, accounts[name], OWNER.user));
      const owner = hubClient(hub, OWNER, { resource: name });
      owner.on("error", () => {});
      try {
        await device.waitFor(/online\s+\S+/);
        await owner.start();
        const to = `${name}@${hub.domain}/appliance`;
        const help = await ask(owner, to, "help");
        for (const opcode of opcodes) assert.match(help.reply, new RegExp(`\\| ${opcode} `));
        const from = device.output().length;
        const answer = await ask(owner, to, command);
        assert.match(answer.reply, /^ok/);
        assert.ok(pinLines(device, from).length > 0, `a pin moved:\n${device.output().slice(from)}`);
      } finally {
        await owner.stop().catch(() => {});
        await device.stop();
      }
    });
  }
});
