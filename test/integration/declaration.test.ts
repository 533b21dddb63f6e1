// The desktop device against a real Prosody, changed by its owner: the instruction set by chat (the
// presence carries the new caps ver and says so, the new one is what boots next time, and a
// stored one that no longer reads boots the built-in one with a trace), and a setting by the
// settings command (stored, the device restarts on it; a factory reset forgets it).

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { DECLARATION_RECORD } from "../../src/app/declared-device.js";
import { StoredText } from "../../src/app/stored-text.js";
import { readStoredSettings } from "../../src/app/settings.js";
import { FileSettingsStore } from "../../hosts/node/settings-file.js";
import { runCommand } from "../support/adhoc-client.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, ask } from "../support/microwave-scenario.js";
import { startTestHub, type Hub } from "../support/prosody.js";


const LAMP = {
  name: "Lamp",
  drivers: { light: { kind: "relay", pin: 27 } },
  opcodes: [
    { opcode: "LIGHT", task: "Light on", operands: [], action: { set: { light: "on" } } },
    { opcode: "DARK", task: "Light off", operands: [], action: { safe: true } },
  ],
};

/** Polls `done` every 50 ms; fails naming `what` after 15 s. */
async function waitUntil(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > 15_000) throw new Error(`no ${what} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("desktop device changed by its owner: the instruction set, the settings, the firmware", function () {
  this.timeout(60_000);
  let hub: Hub;
  let scratch: string;
  let owner: Client;
  let device: DeviceRun | undefined;
  const presences: Element[] = [];

  before(async () => {
    hub = await startTestHub([MICROWAVE, OWNER]);
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-declaration-"));
    owner = hubClient(hub, OWNER, { resource: "console" });
    owner.on("stanza", (stanza: Element) => {
      if (!stanza.is("presence") || !stanza.attrs.from?.startsWith(`${MICROWAVE.user}@`)) return;
      // The device asks its owner for a subscription: approved, its presence reaches the owner.
      if (stanza.attrs.type === "subscribe") void owner.send(xml("presence", { type: "subscribed", to: stanza.attrs.from }));
      else if (stanza.attrs.type === undefined) presences.push(stanza);
    });
    await owner.start();
    // The device approves its owners' requests: its presence then reaches the owner.
    await owner.send(xml("presence", { type: "subscribe", to: `${MICROWAVE.user}@${hub.domain}` }));
    // Available itself, the owner is sent the presence of what it is subscribed to.
    await owner.send(xml("presence", {}));
  });

  afterEach(async () => {
    await device?.stop();
    device = undefined;
  });

  after(async () => {
    await owner?.stop().catch(() => {});
    await hub?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const settingsFile = () => join(scratch, "microwave.settings.json");
  const start = async () => {
    const run = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user, { settings: settingsFile() }));
    await run.waitFor(/online\s+\S+/);
    return run;
  };
  const to = () => `${MICROWAVE.user}@${hub.domain}/appliance`;
  /** The settings command run by the owner with `fields`: the completion's note. */
  const submit = (fields: Record<string, string>) => runCommand(owner, to(), "settings", fields);
  const capsVer = (presence: Element | undefined) => presence?.getChild("c", "http://jabber.org/protocol/caps")?.attrs.ver;

  it("takes a new declaration by chat, announces it with a new caps ver, and boots it next time", async () => {
    device = await start();
    await waitUntil(() => presences.length > 0, "the device's presence");
    const before = capsVer(presences.at(-1));
    assert.ok(before, "the device's presence carries caps");
    const { reply } = await ask(owner, to(), `declare ${JSON.stringify(LAMP)}`);
    assert.match(reply, /^ok: the instruction set is now Lamp's: LIGHT, DARK; every output is in its safe state; stored/);
    await waitUntil(() => presences.at(-1)?.getChildText("status") !== presences[0]?.getChildText("status"), "a presence after the change");
    const announced = presences.at(-1)!;
    assert.equal(announced.getChildText("status"), "new instruction set: Lamp, 2 commands");
    assert.notEqual(capsVer(announced), before);
    assert.match((await ask(owner, to(), "LIGHT")).reply, /^ok: LIGHT/);
    await device.waitFor(/pin\s+27 \(light\) -> 1/);
    await device.stop();

    device = await start();
    assert.match(device.output(), /declaration\s+the stored one: Lamp, 2 commands/);
    assert.match(device.output(), /ready\s+Lamp: 1 outputs in their safe state, 2 commands/);
    assert.match((await ask(owner, to(), "help")).reply, /LIGHT/);
  });

  it("boots the built-in declaration, with a trace naming the key, when the stored one no longer reads", async () => {
    new StoredText(new FileSettingsStore(settingsFile()), DECLARATION_RECORD).set(JSON.stringify({ ...LAMP, drivers: { light: { kind: "relay", pin: 5 } } }));
    device = await start();
    assert.match(device.output(), /declaration\s+the stored declaration is broken and is not used: stored declaration: config\.device\.drivers\.light\.pin: pin 5 is not in the pin map/);
    assert.match(device.output(), /ready\s+Microwave: 4 outputs/);
    assert.match((await ask(owner, to(), "help")).reply, /PREHEAT/);
  });

  it("changes a setting by the settings command: stored, restarted on it, and a factory reset forgets it; no secret in its log", async () => {
    device = await start();
    const from = device.output().length;
    assert.equal(await submit({ owner: `${OWNER.user}@${hub.domain}, second@${hub.domain}` }), "ok: stored owner; the device restarts with them now");
    await device.waitFor(/restarting\s+on the settings stored on the device/, 15_000, from);
    await device.waitFor(/online\s+\S+/, 15_000, device.output().indexOf("restarting", from));
    assert.deepEqual(readStoredSettings(new FileSettingsStore(settingsFile())), { owner: `${OWNER.user}@${hub.domain}, second@${hub.domain}` });
    const again = device.output().length;
    assert.match((await submit({ factory_reset: "1" })) ?? "", /^ok: factory reset/);
    // The log and the reply come by different ways: the restart's line may not be here yet.
    await device.waitFor(/restarting\s+on the settings stored on the device/, 15_000, again);
    await device.waitFor(/online\s+\S+/, 15_000, again + device.output().slice(again).search(/restarting\s+on the settings stored on the device/));
    assert.deepEqual(readStoredSettings(new FileSettingsStore(settingsFile())), {});
    assert.ok(!device.output().includes(MICROWAVE.password), "the account's password never appears in the log");
  });

  it("goes back to the previous settings when changed ones cannot log in (a mistyped account password), and keeps a change that can", async () => {
    device = await start();
    const before = readStoredSettings(new FileSettingsStore(settingsFile()));
    let from = device.output().length;
    assert.equal(await submit({ xmpp_password: "mistyped-secret" }), "ok: stored xmpp_password; the device restarts with them now");
    await device.waitFor(/settings\s+changed settings on trial/, 15_000, from);
    await device.waitFor(/settings\s+the changed settings did not work \(not-authorized: [^\n]*\): back to the previous ones; restarting/, 15_000, from);
    const back = device.output().indexOf("the changed settings did not work", from);
    await device.waitFor(/online\s+\S+/, 15_000, back);
    assert.deepEqual(readStoredSettings(new FileSettingsStore(settingsFile())), before);
    assert.ok(!device.output().includes("mistyped-secret"), "the password is never logged");

    from = device.output().length;
    assert.equal(await submit({ owner: `${OWNER.user}@${hub.domain}, third@${hub.domain}` }), "ok: stored owner; the device restarts with them now");
    await device.waitFor(/settings\s+the changed settings logged in: kept/, 15_000, from);
    assert.match(readStoredSettings(new FileSettingsStore(settingsFile())).owner ?? "", /third@/);
    // Back to the factory settings for the tests after this one.
    const reset = device.output().length;
    await submit({ factory_reset: "1" });
    await device.waitFor(/restarting\s+on the settings stored on the device/, 15_000, reset);
    await device.waitFor(/online\s+\S+/, 15_000, reset + device.output().slice(reset).search(/restarting\s+on the settings stored on the device/));
  });
});
