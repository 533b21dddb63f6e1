// The FAST token (XEP-0484) on the Moddable SDK, in the simulator (mcsim), against a real Prosody
// with SASL2 (prosody-modules and the hub's compat module): the first login (RFC 6120 SASL) reads
// the SASL2 offer, the login after a cut is SCRAM over SASL2 and asks for a token, which the firmware keeps in the simulator's settings folder
// (hosts/sim/settings-store.ts); a new mcsim on that folder (a power cycle) logs in with the token,
// no password. The token never appears in the trace. Skipped, saying why, without the SDK or
// without prosody-modules.

import { strict as assert } from "node:assert";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAST_RECORD } from "../../src/xmpp/fast.js";
import { sasl2Installed } from "../../hosts/node/hub/prosody.js";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { MICROWAVE, OWNER } from "../support/microwave-scenario.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";
import { FaultProxy } from "../support/fault-proxy.js";

const BUILD_AND_LOGIN_MS = 600_000;
const ONLINE = /online\s+microwave@/;

describe("the FAST token in the Moddable simulator", function () {
  this.timeout(BUILD_AND_LOGIN_MS);
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let scratch: string;
  let device: DeviceRun | undefined;
  let proxy: FaultProxy;

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER], { scratch: "fast", hub: { sasl2: true }, missing: () => (sasl2Installed() ? undefined : "no prosody-modules (mod_sasl2...): bash scripts/system-packages.sh") });
    ({ hub, sntp, scratch } = world);
    // Between the device and the hub, to cut the first connection.
    proxy = await FaultProxy.start({ host: hub.host, port: hub.c2sPort });
  });

  after(async () => {
    if (process.env.FAST_TRACE && device) writeFileSync(process.env.FAST_TRACE, device.output());
    await device?.stop();
    await proxy?.close();
    await world?.stop();
  });

  const tokenFile = () => join(scratch, "data", `appliance-setting-${FAST_RECORD}`);
  const boot = async () => {
    await device?.stop();
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { server: `127.0.0.1:${proxy.port}`, sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    device = await runSim(microwaveManifest, settings, ["--data", join(scratch, "data")]);
    await device.waitFor(ONLINE, BUILD_AND_LOGIN_MS);
    return device;
  };
  /** The trace after the build's command line (which has the password on it). */
  const trace = () => device!.output().slice(device!.output().indexOf("ready "));

  it("after a cut, logs in with SCRAM over SASL2 and keeps the token it gets in the simulator's folder", async () => {
    await boot();
    assert.match(trace(), /authenticated\s+SCRAM-SHA-(1|256)\n/);
    assert.ok(!existsSync(tokenFile()), "no token before a SASL2 login");
    const from = device!.output().length;
    // Cut at once: the firmware is still writing (the roster's get and the presence leave with
    // "online"), so a write meets the closed socket. Before hosts/sim/sigpipe that SIGPIPE ended
    // mcsim itself, with no trace.
    assert.ok(proxy.cut() > 0, "the device's connection was cut");
    await device!.waitFor(/authenticated\s+SCRAM-SHA-(1|256) \(SASL2\)/, 60_000, from);
    await device!.waitFor(/(online|resumed)\s+microwave@/, 30_000, from);
    assert.ok(existsSync(tokenFile()), "the token is stored in the simulator's folder");
    const token = JSON.parse(readFileSync(tokenFile(), "utf8")).token.token as string;
    assert.ok(typeof token === "string" && token.length > 8, "a token is stored");
    assert.ok(!trace().includes(token), "the token never appears in the trace");
  });

  it("logs in with the token, no password, in a new mcsim on the same folder, and keeps the fresh one", async () => {
    const first = JSON.parse(readFileSync(tokenFile(), "utf8")).token.token as string;
    await boot();
    assert.match(trace(), /authenticated\s+HT-SHA-256-NONE \(SASL2\)/);
    assert.doesNotMatch(trace(), /error\s/);
    const second = JSON.parse(readFileSync(tokenFile(), "utf8")).token.token as string;
    assert.notEqual(second, first, "a fresh token at each FAST login, stored");
    assert.ok(!trace().includes(first) && !trace().includes(second), "no token in the trace");
  });
});
