// The instruction set changed on the Moddable SDK, in the simulator (mcsim), against a real
// Prosody: a declaration an owner sends (the ad-hoc command `declaration`, the chat line
// `declare {...}`) is refused whole naming the key (a pin outside the simulator's map too) and
// changes nothing; a stranger gets forbidden; an accepted one puts the running outputs in their
// safe state, is applied and stored in the simulator's folder, and the caps ver and the presence
// status change; a new mcsim on that folder boots it; a factory reset forgets it; and a stored
// one that no longer reads boots the built-in one with a trace naming the key. Skipped, saying
// why, without the SDK.

import { strict as assert } from "node:assert";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { DECLARATION_RECORD } from "../../src/app/declared-device.js";
import { StoredText } from "../../src/app/stored-text.js";
import type { SettingsStore } from "../../src/host.js";
import { runCommand } from "../support/adhoc-client.js";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, STRANGER, ask } from "../support/microwave-scenario.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";

const BUILD_AND_LOGIN_MS = 600_000;
const CAPS = "http://jabber.org/protocol/caps";
/** The trace line of a login, not a sentence with the word in it. */
const ONLINE = /online\s+microwave@/;

/** On the microwave's fan pin (27): a pin of the manifest's declaration, so of the simulator's map. */
const LAMP = {
  name: "Lamp",
  drivers: { light: { kind: "relay", pin: 27 } },
  opcodes: [
    { opcode: "LIGHT", task: "Light on", operands: [], action: { set: { light: "on" } } },
    { opcode: "DARK", task: "Light off", operands: [], action: { safe: true } },
  ],
};
/** On the microwave's grill pin (26). */
const TOASTER = {
  name: "Toaster",
  drivers: { element: { kind: "relay", pin: 26, max_on_s: 600 } },
  opcodes: [
    { opcode: "TOAST", task: "Toast", operands: [{ name: "time", type: "duration", unit: "min", min: 1, max: 10 }], action: { set: { element: "on" }, for: "$time" } },
    { opcode: "EJECT", task: "Eject", operands: [], action: { safe: true } },
  ],
};

/** The simulator's settings folder read and written as hosts/sim/settings-store.ts does: one file per key. */
class FolderStore implements SettingsStore {
  constructor(readonly dir: string) {}
  get(key: string): string | undefined {
    const path = join(this.dir, `appliance-setting-${key}`);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }
  set(key: string, value: string | undefined): void {
    const path = join(this.dir, `appliance-setting-${key}`);
    if (value === undefined) rmSync(path, { force: true });
    else writeFileSync(path, value);
  }
}

/** Polls `done` every 50 ms; fails naming `what` after 15 s. */
async function waitUntil(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > 15_000) throw new Error(`no ${what} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the instruction set changed in the Moddable simulator", function () {
  this.timeout(BUILD_AND_LOGIN_MS);
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let scratch: string;
  let owner: Client;
  let stranger: Client;
  let device: DeviceRun | undefined;
  const presences: Element[] = [];

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER, STRANGER], { scratch: "declaration" });
    ({ hub, sntp, scratch } = world);
    owner = hubClient(hub, OWNER, { resource: "console" });
    stranger = hubClient(hub, STRANGER, { resource: "laptop" });
    owner.on("stanza", (stanza: Element) => {
      if (!stanza.is("presence") || !stanza.attrs.from?.startsWith(`${MICROWAVE.user}@`)) return;
      // The device asks its owner for a subscription: approved, its presence reaches the owner.
      if (stanza.attrs.type === "subscribe") void owner.send(xml("presence", { type: "subscribed", to: stanza.attrs.from }));
      else if (stanza.attrs.type === undefined) presences.push(stanza);
    });
    for (const client of [owner, stranger]) {
      client.on("error", () => {});
      await client.start();
    }
    await owner.send(xml("presence", { type: "subscribe", to: `${MICROWAVE.user}@${hub.domain}` }));
    await owner.send(xml("presence", {}));
  });

  after(async () => {
    if (process.env.DECLARATION_TRACE && device) writeFileSync(process.env.DECLARATION_TRACE, device.output());
    await device?.stop();
    for (const client of [owner, stranger]) await client?.stop().catch(() => {});
    await world?.stop(process.env.DECLARATION_TRACE !== undefined);
  });

  const data = () => join(scratch, "data");
  const to = () => `${MICROWAVE.user}@${hub.domain}/appliance`;
  const boot = async () => {
    await device?.stop();
    presences.length = 0;
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    device = await runSim(microwaveManifest, settings, ["--data", data()]);
    await device.waitFor(ONLINE, BUILD_AND_LOGIN_MS);
    return device;
  };
  /** The files of the stored declaration (its pointer and chunks) in the simulator's folder. */
  const declarationFiles = () => readdirSync(data()).filter((name) => name.startsWith(`appliance-setting-${DECLARATION_RECORD}`));
  const capsVer = (presence: Element | undefined) => presence?.getChild("c", CAPS)?.attrs.ver as string | undefined;

  /** Runs the ad-hoc command `declaration` as `client` with `text` (one value per line): its note, or "refused: <condition> <text>". */
  async function declare(client: Client, text: string): Promise<string> {
    return runCommand(client, to(), "declaration", { declaration: text.split("\n") }, {
      checkForm: (command) => {
        const field = command.getChild("x", "jabber:x:data")!.getChild("field")!;
        assert.deepEqual([field.attrs.var, field.attrs.type], ["declaration", "text-multi"]);
      },
    });
  }


  /** The device's disco#info: its identity's name and its instruction-set feature. */
  async function discoInfo(): Promise<{ name: string; instructionSet: string | undefined }> {
    const answer = await owner.iqCaller.request(xml("iq", { type: "get", to: to() }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })), 10_000);
    const query = answer.getChild("query")!;
    const features = query.getChildren("feature").map((feature) => feature.attrs.var as string);
    return { name: query.getChild("identity")!.attrs.name as string, instructionSet: features.find((feature) => feature.includes("#instruction-set-")) };
  }

  it("refuses a broken declaration and a pin outside the simulator's map whole, naming the key, and a stranger's (forbidden), changing nothing", async () => {
    await boot();
    await waitUntil(() => presences.length > 0, "the device's presence");
    const before = await discoInfo();
    const ver = capsVer(presences.at(-1));
    assert.ok(ver && before.instructionSet, "the presence carries caps and disco#info the instruction set");
    let from = device!.output().length;
    assert.match((await ask(owner, to(), "GRILL 15")).reply, /^ok/);
    await device!.waitFor(/pin\s+26 \(grill\) -> 1/, 10_000, from);
    from = device!.output().length;

    const motor = JSON.stringify({ ...LAMP, drivers: { light: { kind: "motor", pin: 27 } } }, null, 1);
    assert.match(await declare(owner, motor), /^refused: bad-request error: declaration: config\.device\.drivers\.light\.kind: unknown driver kind "motor".*; nothing was changed$/);
    const offMap = JSON.stringify({ ...LAMP, drivers: { light: { kind: "relay", pin: 5 } } });
    assert.match(
      (await ask(owner, to(), `declare ${offMap}`)).reply,
      /^error: declaration: config\.device\.drivers\.light\.pin: pin 5 is not in the pin map of this simulator \(the pins of the manifest's declaration\)[^\n]*; nothing was changed$/,
    );
    assert.match((await ask(owner, to(), "declare {name: Lamp")).reply, /^error: declaration: config\.device: not JSON/);
    assert.match(await declare(stranger, JSON.stringify(LAMP)), /^refused: forbidden/);
    assert.match((await ask(stranger, to(), `declare ${JSON.stringify(LAMP)}`)).reply, /^error: stranger@hub\.test is not an owner/);

    assert.deepEqual(declarationFiles(), [], "nothing stored");
    assert.deepEqual(await discoInfo(), before);
    assert.equal(capsVer(presences.at(-1)), ver);
    // No pin touched: the grill still runs.
    assert.doesNotMatch(device!.output().slice(from), /pin\s+\d+ \(\w+\) (->|pwm)/);
    assert.match((await ask(owner, to(), "help")).reply, /PREHEAT/);
    assert.match((await ask(owner, to(), "STOP")).reply, /^ok/);
  });

  it("takes one by chat: the outputs safe first, applied, stored, a new caps ver and a presence that says so", async () => {
    await waitUntil(() => presences.length > 0, "the device's presence");
    const before = await discoInfo();
    const ver = capsVer(presences.at(-1));
    const grill = device!.output().length;
    assert.match((await ask(owner, to(), "GRILL 15")).reply, /^ok/);
    await device!.waitFor(/pin\s+26 \(grill\) -> 1/, 10_000, grill);
    const from = device!.output().length;
    const seen = presences.length;

    assert.equal((await ask(owner, to(), `declare ${JSON.stringify(LAMP)}`)).reply, "ok: the instruction set is now Lamp's: LIGHT, DARK; every output is in its safe state; stored, used from now on and after a restart");
    const changed = await device!.waitFor(/declaration\s+changed to Lamp[^\n]*/, 10_000, from);
    assert.match(changed, /changed to Lamp: 1 outputs in their safe state, 2 commands; stored/);
    const trace = device!.output().slice(from);
    const grillSafe = trace.search(/pin\s+26 \(grill\) -> 0/);
    assert.ok(grillSafe >= 0 && grillSafe < trace.search(/declaration\s+changed to Lamp/), `the old grill went safe before the change:\n${trace}`);

    await waitUntil(() => presences.slice(seen).some((presence) => presence.getChildText("status") === "new instruction set: Lamp, 2 commands"), "the presence of the change");
    const announced = presences.slice(seen).find((presence) => presence.getChildText("status") === "new instruction set: Lamp, 2 commands")!;
    assert.notEqual(capsVer(announced), ver);
    const after = await discoInfo();
    assert.equal(after.name, "Lamp");
    assert.notEqual(after.instructionSet, before.instructionSet);
    assert.ok(declarationFiles().length >= 2, `the pointer and a chunk in the simulator's folder: ${declarationFiles().join(", ")}`);
    assert.equal(new StoredText(new FolderStore(data()), DECLARATION_RECORD).get(), JSON.stringify(LAMP));

    const lit = device!.output().length;
    assert.match((await ask(owner, to(), "LIGHT")).reply, /^ok: LIGHT/);
    await device!.waitFor(/pin\s+27 \(light\) -> 1/, 10_000, lit);
    assert.match((await ask(owner, to(), "GRILL 15")).reply, /^error: /, "the old opcodes are gone");
  });

  it("takes one by the ad-hoc command, boots it in a new mcsim, and a factory reset forgets it", async () => {
    assert.match(await declare(owner, JSON.stringify(TOASTER, null, 1)), /^ok: the instruction set is now Toaster's: TOAST, EJECT; every output is in its safe state; stored/);
    assert.match((await ask(owner, to(), "help")).reply, /TOAST/);

    // A power cycle: a new mcsim on the same folder boots the stored one.
    await boot();
    assert.match(device!.output(), /declaration\s+the stored one: Toaster, 2 commands/);
    assert.match(device!.output(), /ready\s+Toaster on simulator: 1 outputs in their safe state, 2 commands/);
    assert.match((await ask(owner, to(), "help")).reply, /TOAST/);
    assert.equal((await discoInfo()).name, "Toaster");

    const from = device!.output().length;
    assert.match(await runCommand(owner, to(), "settings", { factory_reset: "1" }), /^ok: factory reset/);
    await device!.waitFor(/restarting\s+the simulator runs the firmware again/, 15_000, from);
    const restarted = device!.output().search(/restarting\s+the simulator runs the firmware again/);
    await device!.waitFor(ONLINE, 60_000, restarted);
    assert.match(device!.output().slice(restarted), /ready\s+Microwave on simulator: 4 outputs/);
    assert.deepEqual(declarationFiles(), []);
    assert.match((await ask(owner, to(), "help")).reply, /PREHEAT/);
  });

  it("boots the built-in declaration, with a trace naming the key, when the stored one no longer reads", async () => {
    new StoredText(new FolderStore(data()), DECLARATION_RECORD).set(JSON.stringify({ ...LAMP, drivers: { light: { kind: "relay", pin: 5 } } }));
    await boot();
    assert.match(
      device!.output(),
      /declaration\s+the stored declaration is broken and is not used: stored declaration: config\.device\.drivers\.light\.pin: pin 5 is not in the pin map of this simulator[^\n]*; running the built-in one \(Microwave\); send a new one or reset to factory settings/,
    );
    assert.match(device!.output(), /ready\s+Microwave on simulator: 4 outputs/);
    assert.match((await ask(owner, to(), "help")).reply, /PREHEAT/);
  });
});
