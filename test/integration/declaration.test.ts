// The desktop device against a real Prosody, changed by its owner: the instruction set by chat (the
// presence carries the new caps ver and says so, the new one is what boots next time, and a
// stored one that no longer reads boots the built-in one with a trace), and a setting by the
// settings command (stored, the device restarts on it; a factory reset forgets it).

import { strict as assert } from "node:assert";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { DECLARATION_RECORD } from "../../src/app/declared-device.js";
import { StoredText } from "../../src/app/stored-text.js";
import { readStoredSettings } from "../../src/app/settings.js";
import { FileSettingsStore } from "../../hosts/node/settings-file.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, ask } from "../support/microwave-scenario.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const COMMANDS = "http://jabber.org/protocol/commands";

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
    const submit = async (fields: Record<string, string>) => {
      const executing = await owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "settings", action: "execute" })), 10_000);
      const sessionid = executing.getChild("command", COMMANDS)!.attrs.sessionid as string;
      const x = xml("x", { xmlns: "jabber:x:data", type: "submit" }, ...Object.entries(fields).map(([name, value]) => xml("field", { var: name }, xml("value", {}, value))));
      const done = await owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "settings", sessionid, action: "complete" }, x)), 10_000);
      return done.getChild("command", COMMANDS)!.getChildText("note");
    };
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
    const submit = async (fields: Record<string, string>) => {
      const executing = await owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "settings", action: "execute" })), 10_000);
      const sessionid = executing.getChild("command", COMMANDS)!.attrs.sessionid as string;
      const x = xml("x", { xmlns: "jabber:x:data", type: "submit" }, ...Object.entries(fields).map(([name, value]) => xml("field", { var: name }, xml("value", {}, value))));
      const done = await owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "settings", sessionid, action: "complete" }, x)), 10_000);
      return done.getChild("command", COMMANDS)!.getChildText("note");
    };
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

  it("updates itself from a signed image over HTTPS: restarts on it and reports its version; an image of another key changes nothing", async () => {
    const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyFile = join(scratch, "update-key.pem");
    writeFileSync(keyFile, trusted.publicKey.export({ type: "spki", format: "pem" }) as string);
    const image = (version: string, key = trusted.privateKey) => {
      const firmware = Buffer.from(JSON.stringify({ version }));
      return Buffer.concat([firmware, sign("sha256", createHash("sha256").update(firmware).digest(), { key, dsaEncoding: "ieee-p1363" })]);
    };
    const images = new Map([["/0.2.0.bin", image("0.2.0")], ["/other.bin", image("0.3.0", generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey)]]);
    const certs = dirname(hub.caPath);
    const server = createServer({ cert: readFileSync(join(certs, "server.crt")), key: readFileSync(join(certs, "server.key")) }, (request, response) => {
      const file = images.get(request.url ?? "");
      if (file) response.writeHead(200, { "content-length": String(file.length) }).end(file);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const run = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user, { settings: settingsFile(), update_key: keyFile }));
      device = run;
      await run.waitFor(/online\s+\S+/);
      const version = async () => {
        const answer = await owner.iqCaller.request(xml("iq", { type: "get", to: to() }, xml("query", { xmlns: "jabber:iq:version" })), 10_000);
        return answer.getChild("query", "jabber:iq:version")!.getChildText("version");
      };
      const update = async (path: string) => {
        const executing = await owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "update", action: "execute" })), 10_000);
        const sessionid = executing.getChild("command", COMMANDS)!.attrs.sessionid as string;
        const sha256 = createHash("sha256").update(images.get(path)!).digest("hex");
        const x = xml("x", { xmlns: "jabber:x:data", type: "submit" }, xml("field", { var: "url" }, xml("value", {}, `https://${hub.domain}:${port}${path}`)), xml("field", { var: "sha256" }, xml("value", {}, sha256)));
        return owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "update", sessionid, action: "complete" }, x)), 20_000).then(
          (done) => done.getChild("command", COMMANDS)!.getChildText("note") ?? "",
          (error: { text?: string; message: string }) => `refused: ${error.text ?? error.message}`,
        );
      };
      assert.equal(await version(), "0.1.0");
      assert.match(await update("/other.bin"), /^refused: error: the image's signature is not valid for this firmware's key/);
      assert.equal(await version(), "0.1.0");
      const from = run.output().length;
      assert.match(await update("/0.2.0.bin"), /^ok: update checked/);
      await run.waitFor(/restarting\s+/, 15_000, from);
      await run.waitFor(/update\s+the new image is online: kept/, 20_000, from);
      assert.equal(await version(), "0.2.0");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
