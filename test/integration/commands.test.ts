// The instruction set over XMPP against a real Prosody and a real ejabberd: an owner and a stranger on @xmpp/client
// talk to the desktop microwave (the scenario in test/support/microwave-scenario.ts, which the
// Moddable simulator's build passes too). Also a device declared only in a test manifest.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUB_SERVERS, startTestHub, type Hub } from "../support/prosody.js";
import { hubClient } from "../support/hub-client.js";
import { deviceSettings, microwaveManifest, runDevice } from "../support/device-process.js";
import { MICROWAVE, OWNER, STRANGER, ask, microwaveScenario, pinLines } from "../support/microwave-scenario.js";

const FOUNTAIN = { user: "fountain", password: "fountain-secret" };

for (const server of HUB_SERVERS) describe(`commands over XMPP (${server})`, function () {
  this.timeout(90_000);
  let hub: Hub;
  let scratch: string;

  before(async () => {
    hub = await startTestHub([MICROWAVE, FOUNTAIN, OWNER, STRANGER], { server });
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-commands-"));
  });

  after(async () => {
    await hub?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  microwaveScenario(
    () => hub,
    async (hub) => {
      const device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
      await device.waitFor(/online\s+\S+/);
      return device;
    },
  );

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
      await device.waitFor(/ pin\s+\S+ \(pump\)/, 10_000, from); // the log may arrive after the reply
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
