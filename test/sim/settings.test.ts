// The settings command on the Moddable SDK, in the simulator (mcsim), against a real Prosody: the
// form never shows a password, a bad field is refused naming it and changes nothing, a change is
// stored with the SDK's Preference and used after the restart (the firmware runs again in the same
// mcsim) and after a new mcsim (stored in the simulator's folder, hosts/sim/settings-store.ts), and
// a factory reset forgets it. Skipped, saying why,
// without the SDK.

import { strict as assert } from "node:assert";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { COMMANDS, runCommand } from "../support/adhoc-client.js";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, ask } from "../support/microwave-scenario.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";

const BUILD_AND_LOGIN_MS = 600_000;
const SECOND = { user: "second", password: "second-secret" };
/** The trace line of a login, not a sentence with the word in it. */
const ONLINE = /online\s+microwave@/;

describe("the settings command in the Moddable simulator", function () {
  this.timeout(BUILD_AND_LOGIN_MS);
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let scratch: string;
  let owner: Client;
  let second: Client;
  let device: DeviceRun | undefined;

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER, SECOND], { scratch: "settings" });
    ({ hub, sntp, scratch } = world);
    owner = hubClient(hub, OWNER, { resource: "console" });
    second = hubClient(hub, SECOND, { resource: "phone" });
    for (const client of [owner, second]) {
      client.on("error", () => {});
      await client.start();
    }
  });

  after(async () => {
    if (process.env.SETTINGS_TRACE && device) writeFileSync(process.env.SETTINGS_TRACE, device.output());
    await device?.stop();
    for (const client of [owner, second]) await client?.stop().catch(() => {});
    await world?.stop(process.env.SETTINGS_TRACE !== undefined);
  });

  const to = () => `${MICROWAVE.user}@${hub.domain}/appliance`;
  /** What the simulator's settings files hold, all together. */
  const stored = () => {
    const dir = join(scratch, "data");
    return readdirSync(dir).filter((name) => name.startsWith("appliance-setting-")).map((name) => readFileSync(join(dir, name), "utf8")).join("\n");
  };

  async function form(): Promise<{ sessionid: string; fields: Element[] }> {
    const executing = await owner.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "settings", action: "execute" })), 10_000);
    const command = executing.getChild("command", COMMANDS)!;
    return { sessionid: command.attrs.sessionid as string, fields: command.getChild("x", "jabber:x:data")!.getChildren("field") };
  }

  async function submit(values: Record<string, string>): Promise<string> {
    return runCommand(owner, to(), "settings", values);
  }


  it("offers the settings form to its owner, with the values in force and no password in it", async () => {
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    device = await runSim(microwaveManifest, settings, ["--data", join(scratch, "data")]);
    await device.waitFor(ONLINE, BUILD_AND_LOGIN_MS);
    const { fields } = await form();
    const value = (name: string) => fields.find((field) => field.attrs.var === name)?.getChildren("value").map((v) => v.getText());
    assert.deepEqual(value("jid"), [`${MICROWAVE.user}@${hub.domain}/appliance`]);
    assert.deepEqual(value("owner"), [`${OWNER.user}@${hub.domain}`]);
    for (const secret of ["xmpp_password", "password"]) {
      assert.equal(fields.find((field) => field.attrs.var === secret)?.attrs.type, "text-private");
      assert.deepEqual(value(secret), []);
    }
  });

  it("refuses a bad field naming it, and a non-owner the command (forbidden), and changes nothing", async () => {
    await assert.rejects(
      second.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "settings", action: "execute" })), 10_000),
      (error: { condition?: string }) => error.condition === "forbidden",
    );
    assert.match(await submit({ owner: " , " }), /^refused: bad-request error: config key "owner": at least one owner is needed.*; nothing was changed$/);
    assert.match(await submit({ server: "hub.test:99999" }), /^refused: bad-request error: config key "server": .*; nothing was changed$/);
    assert.doesNotMatch(device!.output(), /restarting/);
    assert.match((await ask(second, to(), "help")).reply, /^error/);
  });

  it("stores a change, restarts on it (a new owner can command), keeps it in a new mcsim, and a factory reset forgets it", async () => {
    let from = device!.output().length;
    assert.equal(await submit({ owner: `${OWNER.user}@${hub.domain}, ${SECOND.user}@${hub.domain}` }), "ok: stored owner; the device restarts with them now");
    await device!.waitFor(/restarting\s+the simulator runs the firmware again/, 15_000, from);
    await device!.waitFor(ONLINE, 60_000, device!.output().indexOf("restarting", from));
    assert.doesNotMatch(device!.output().slice(from), /error\s/);
    assert.match((await ask(second, to(), "help")).reply, /PREHEAT/);
    assert.match(stored(), /second@hub\.test/);

    // A new mcsim (a power cycle) starts on what was stored, from the simulator's folder.
    await device!.stop();
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    device = await runSim(microwaveManifest, settings, ["--data", join(scratch, "data")]);
    await device.waitFor(ONLINE, BUILD_AND_LOGIN_MS);
    assert.match((await ask(second, to(), "help")).reply, /PREHEAT/);

    from = device!.output().length;
    assert.match(await submit({ factory_reset: "1" }), /^ok: factory reset/);
    // The trace and the reply come by different ways: the restart's line may not be here yet.
    await device!.waitFor(/restarting\s+the simulator runs the firmware again/, 15_000, from);
    await device!.waitFor(ONLINE, 60_000, from + device!.output().slice(from).search(/restarting\s+the simulator runs the firmware again/));
    assert.match((await ask(second, to(), "help")).reply, /^error/);
    assert.doesNotMatch(stored(), /second@hub\.test/);
    // The build's command line (printed before the trace) has it; the firmware's trace must not.
    const trace = device!.output().slice(device!.output().indexOf("ready "));
    assert.ok(!trace.includes(MICROWAVE.password), "the account's password never appears in the trace");
  });

  it("goes back to the previous settings when changed ones cannot log in (a mistyped account password)", async () => {
    const before = stored();
    const from = device!.output().length;
    assert.equal(await submit({ xmpp_password: "mistyped-secret" }), "ok: stored xmpp_password; the device restarts with them now");
    await device!.waitFor(/settings\s+changed settings on trial/, 15_000, from);
    const reverted = await device!.waitFor(/settings\s+the changed settings did not work \(not-authorized: [^\n]*\): back to the previous ones; restarting/, 30_000, from);
    const back = device!.output().indexOf(reverted, from) + reverted.length;
    await device!.waitFor(ONLINE, 60_000, back);
    assert.equal(stored(), before);
    assert.ok(!device!.output().slice(from).includes("mistyped-secret"), "the password never appears in the trace");
    assert.match((await ask(owner, to(), "help")).reply, /PREHEAT/);
  });
});
