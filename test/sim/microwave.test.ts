// The firmware on the Moddable SDK, in the desktop simulator (mcsim, -p lin): built from the same
// manifest as the desktop host, it joins the simulated Wi-Fi under the WPA2 floor, sets its clock
// from SNTP, logs into a real Prosody over STARTTLS, and passes the same end-to-end scenario as
// the desktop host. Skipped, saying why, where the Moddable SDK is not installed (MODDABLE unset).

import { strict as assert } from "node:assert";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { freeLoopbackPort } from "../../hosts/node/hub/loopback-port.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, STRANGER, ask, microwaveScenario } from "../support/microwave-scenario.js";
import { startTestHub, type Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";
import { FaultProxy } from "../support/fault-proxy.js";

/** Building for the simulator compiles the SDK's C sources the first time: minutes, not seconds. */
const BUILD_AND_LOGIN_MS = 600_000;
const HEATER = { user: "heater", password: "heater-secret" };

describe("the firmware in the Moddable simulator", function () {
  this.timeout(BUILD_AND_LOGIN_MS);
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, HEATER, OWNER, STRANGER]);
    ({ hub, sntp } = world);
  });

  after(async () => {
    await world?.stop();
  });

  // The scenario stops the device when done; its trace stays for the checks after it.
  let device: DeviceRun | undefined;
  after(async () => device?.stop());

  microwaveScenario(
    () => hub,
    async (hub) => {
      const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}`, ssid: "Home", password: "wifi-secret" });
      device = await runSim(microwaveManifest, settings);
      await device.waitFor(/online\s+\S+/, BUILD_AND_LOGIN_MS);
      return device;
    },
  );

  describe("the trace of that boot", () => {
    it("joined the WPA2 access point by its BSSID, not the stronger open one with the same SSID", () => {
      const output = device!.output();
      assert.match(output, /wifi joining\s+"Home" \(wpa2_psk, -58 dBm\)/);
      assert.match(output, /sim wifi: join "Home" bssid 02:00:5e:10:00:01 \(wpa2_psk\)/);
      assert.doesNotMatch(output, /bssid 02:00:5e:10:00:02/);
    });

    it("set its clock from SNTP before STARTTLS, and used SCRAM inside TLS", () => {
      const output = device!.output();
      assert.ok(sntp.requests > 0, "the SNTP server was asked");
      const clock = output.search(/clock set\s+\S+ from 127\.0\.0\.1:\d+ \(the sntp key\)/);
      const secure = output.search(/secure\s+hub\.test/);
      const authenticated = output.search(/authenticated SCRAM-SHA-(1|256)/);
      assert.ok(clock >= 0 && secure > clock && authenticated > secure, output);
    });
  });

  it("runs devices/heater, whose pins are a board's names (heater, relay1, temp), from its manifest alone, on the ESP32 profile", async () => {
    const heaterManifest = new URL("../../../devices/heater/manifest.json", import.meta.url).pathname;
    const device = await runSim(heaterManifest, deviceSettings(hub, HEATER, OWNER.user, { sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` }), ["--esp32-profile"]);
    const owner = hubClient(hub, OWNER, { resource: "heater-test" });
    owner.on("error", () => {});
    try {
      await device.waitFor(/online\s+\S+/, BUILD_AND_LOGIN_MS);
      // The profile: the clock starts at 1970 (Time.set does nothing in the simulator) until SNTP
      // sets it (the ADC range is checked in test/node/sim.test.ts).
      const output = device.output();
      assert.match(output, /ready\s+[^\n]*\(ESP32 profile: fixed heaps, clock from 1970, the ESP32's ADC range\)/);
      const behind = /clock set\s+\S+ from 127\.0\.0\.1:\d+ \(the sntp key\) \(was (\d+) s behind\)/.exec(output);
      assert.ok(behind && Number(behind[1]) > 1_700_000_000, `the clock should start at 1970:\n${output}`);
      await owner.start();
      const to = `${HEATER.user}@${hub.domain}/appliance`;
      const help = await ask(owner, to, "help");
      for (const opcode of ["HEAT", "BOOST", "FAN", "OFF"]) assert.match(help.reply, new RegExp(`\\| ${opcode} `));
      const from = device.output().length;
      assert.match((await ask(owner, to, "FAN on")).reply, /^ok/);
      // The trace comes through xsbug-log, the reply through the hub: either may arrive first.
      await device.waitFor(/pin\s+relay1 \(fan\) -> 1/, 30_000, from);
      // The room sensor read through the ESP32's ADC model and the board's conversion: the room's
      // 18 °C, not the 120 °C a 3300 mV scale made of it nor the -222 °C of an open sensor.
      assert.match((await ask(owner, to, "HEAT 21")).reply, /^ok/);
      const status = (await ask(owner, to, "status")).reply;
      const room = /now (-?\d+(?:\.\d+)?) ?°C/.exec(status);
      assert.ok(room && Math.abs(Number(room[1]) - 18) < 1.5, `the room should read about 18 °C:\n${status}`);
      assert.match((await ask(owner, to, "OFF")).reply, /^ok/);
    } finally {
      await owner.stop().catch(() => {});
      await device.stop();
    }
  });

  it("on the ESP32 profile, retries a TLS handshake cut at boot (not permanent) and comes online on the next attempt", async () => {
    const heaterManifest = new URL("../../../devices/heater/manifest.json", import.meta.url).pathname;
    const proxy = await FaultProxy.start({ host: hub.host, port: hub.c2sPort });
    proxy.mode = "cut-after-proceed";
    // The first connection is cut 20 ms after <proceed/>, in the middle of the handshake; the ones after it pass.
    const watch = setInterval(() => {
      if (proxy.cuts > 0) proxy.mode = "pass";
    }, 5);
    const settings = deviceSettings(hub, HEATER, OWNER.user, { server: `127.0.0.1:${proxy.port}`, sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    const device = await runSim(heaterManifest, settings, ["--esp32-profile"]);
    try {
      const retry = await device.waitFor(/retrying\s+[^\n]*/, BUILD_AND_LOGIN_MS);
      // The cut lands during the handshake (seen on a read, or on the device's next handshake
      // write, which then fails) or, when it comes first, before the upgrade began.
      assert.match(
        retry,
        /retrying\s+remote-connection-failed: the TLS handshake with hub\.test did not complete: (the connection to 127\.0\.0\.1:\d+ was closed|the connection was closed before TLS started|TLS handshake with 127\.0\.0\.1:\d+ failed \(the connection to 127\.0\.0\.1:\d+ was closed \(a write failed\)\); it will be retried); next attempt in [\d.]+ s/,
      );
      await device.waitFor(/online\s+\S+/, 120_000);
      assert.equal(proxy.cuts, 1);
      assert.ok(proxy.accepted >= 2, `${proxy.accepted} connections`);
      assert.doesNotMatch(device.output(), /error\s|CertificateError|stopped/);
    } finally {
      clearInterval(watch);
      await device.stop();
      await proxy.close();
    }
  });

  it("asks the SNTP sources in turn (the sntp key, the hub, then sntp_pool) and says which answered", async () => {
    const silent = await freeLoopbackPort();
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { sntp: `127.0.0.1:${silent}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    const device = await runSim(microwaveManifest, settings);
    try {
      const line = await device.waitFor(/clock set[^\n]*/, BUILD_AND_LOGIN_MS);
      assert.match(line, new RegExp(`from 127\\.0\\.0\\.1:${sntp.port} \\(the sntp_pool key\\)`));
      assert.match(line, new RegExp(`no time from 127\\.0\\.0\\.1:${silent} \\(the sntp key\\): [^,]+, 127\\.0\\.0\\.1:123 \\(the hub\\): `));
    } finally {
      await device.stop();
    }
  });

  describe("failures it reports without going further", () => {
    it("refuses to join a network that offers less than WPA2, and never connects", async () => {
      const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { ssid: "Cafe", password: "cafe-passphrase", sim_wifi: "Cafe:none:-40,Cafe:wep:-60" });
      const device = await runSim(microwaveManifest, settings);
      try {
        await device.waitFor(/wifi refused\s+refusing to join "Cafe": it offers none, wep, less than WPA2/, BUILD_AND_LOGIN_MS);
        await device.waitFor(/wifi retrying/, 30_000);
        assert.doesNotMatch(device.output(), /sim wifi: join|connecting\s/);
      } finally {
        await device.stop();
      }
    });

    it("says the access point rejected the password (the SDK's disconnect reason), not a timeout, and never connects", async () => {
      const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { ssid: "Home", password: "wrong-secret", sim_wifi_password: "wifi-secret" });
      const device = await runSim(microwaveManifest, settings);
      try {
        await device.waitFor(/wifi down\s+"Home" rejected the password \(the WPA handshake failed\): check the password key/, BUILD_AND_LOGIN_MS);
        await device.waitFor(/wifi retrying\s+"Home" rejected the password/, 30_000);
        assert.doesNotMatch(device.output(), /no IP address within|connecting\s/);
      } finally {
        await device.stop();
      }
    });

    it("stops at a server certificate its CA did not sign, before authenticating", async () => {
      const other = await startTestHub([MICROWAVE]);
      try {
        // The other hub's CA, this hub's server: the handshake fails and no credentials are sent.
        const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { ca: other.caPath, sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
        const device = await runSim(microwaveManifest, settings);
        try {
          await device.waitFor(/TLS handshake with 127\.0\.0\.1:\d+ failed/, BUILD_AND_LOGIN_MS);
          assert.doesNotMatch(device.output(), /authenticated|online\s/);
        } finally {
          await device.stop();
        }
      } finally {
        await other.stop();
      }
    });
  });
});
