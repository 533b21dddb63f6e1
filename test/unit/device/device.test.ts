// The device carries out commands on its drivers: holds, timed actions, sequences, safe, the
// timers on a fake clock, a new command taking over, trips, and the texts of status and presence.

import { assert } from "../../support/assert.js";
import { FakeClock, settle } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { createDevice } from "../../../src/device/create-device.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import type { Trip } from "../../../src/drivers/driver.js";

const KITCHEN = {
  name: "Kitchen",
  sensors: { probe: { kind: "temperature", pin: 30 } },
  drivers: {
    oven: { kind: "heater", pin: 1, output: "pwm", sensor: "probe", max_c: 300, cutoff_c: 350 },
    grill: { kind: "relay", pin: 2, max_on_s: 3600 },
    fan: { kind: "relay", pin: 3 },
    lamp: { kind: "dimmer", pin: 4 },
  },
  opcodes: [
    { opcode: "PREHEAT", task: "Preheat", operands: [{ name: "temp", type: "integer", unit: "C", min: 50, max: 300 }, { name: "time", type: "duration", unit: "min", min: 1, max: 120 }], action: { set: { oven: "$temp", fan: "on" }, for: "$time" } },
    { opcode: "GRILL", task: "Grill", operands: [{ name: "time", type: "duration", unit: "min", min: 1, max: 60 }], action: { set: { grill: "on" }, for: "$time" } },
    { opcode: "LAMP", task: "Lamp", operands: [{ name: "level", type: "integer", unit: "%", min: 0, max: 100 }], action: { set: { lamp: "$level" } } },
    { opcode: "CRISP", task: "Crisp", operands: [], action: { sequence: [{ set: { grill: "on", fan: "on" }, for: 60 }, { set: { grill: "off" }, for: 30 }] } },
    { opcode: "STOP", task: "Stop", operands: [], action: { safe: true } },
  ],
};

function kitchen() {
  const clock = new FakeClock();
  const pins = new FakePins(clock);
  pins.temperature("probe").celsius = 20;
  const trips: Trip[] = [];
  let changes = 0;
  const device = createDevice(readDeviceDeclaration(KITCHEN, "test"), {
    host: clock,
    pins,
    onChange: () => changes++,
    onTrip: (trip) => trips.push(trip),
  });
  return { clock, pins, device, trips, changes: () => changes };
}

const ON = 1;
const OFF = 0;

describe("device", () => {
  it("opens every output in its safe state before any command", () => {
    const { pins } = kitchen();
    for (const pin of [2, 3]) assert.equal(pins.level(pin), OFF);
    assert.equal(pins.level(4), 0);
  });

  it("holds a plain set until told otherwise", async () => {
    const { clock, pins, device } = kitchen();
    assert.equal(await device.handle("LAMP 40"), "ok: LAMP 40");
    clock.advance(24 * 3_600_000);
    assert.ok(pins.level(4)! > 0, "the lamp is still on a day later");
  });

  it("sets for a time, then returns the drivers it set to safe", async () => {
    const { clock, pins, device } = kitchen();
    assert.equal(await device.handle("grill 15"), "ok: GRILL 15, for 15 min");
    assert.equal(pins.level(2), ON);
    clock.advance(15 * 60_000 - 1);
    assert.equal(pins.level(2), ON);
    clock.advance(1);
    assert.equal(pins.level(2), OFF);
    assert.match(device.status(), /nothing running/);
  });

  it("runs a sequence step by step, and leaves every driver it touched safe", async () => {
    const { clock, pins, device } = kitchen();
    assert.equal(await device.handle("CRISP"), "ok: CRISP, for 1 min 30 s");
    assert.deepEqual([pins.level(2), pins.level(3)], [ON, ON]);
    clock.advance(60_000);
    await settle();
    assert.deepEqual([pins.level(2), pins.level(3)], [OFF, ON], "second step: grill off, fan still on");
    clock.advance(30_000);
    await settle();
    assert.deepEqual([pins.level(2), pins.level(3)], [OFF, OFF]);
    assert.match(device.status(), /nothing running/);
  });

  it("lets a new command take over the drivers of a running one: GRILL 15 then GRILL 5 ends in 5 minutes", async () => {
    const { clock, pins, device } = kitchen();
    await device.handle("GRILL 15");
    clock.advance(60_000);
    await device.handle("GRILL 5");
    assert.equal(pins.level(2), ON, "no gap while the new command takes over");
    clock.advance(5 * 60_000);
    assert.equal(pins.level(2), OFF);
    clock.advance(20 * 60_000);
    assert.equal(pins.level(2), OFF, "the first command's timer no longer fires");
  });

  it("keeps commands on other drivers running", async () => {
    const { clock, pins, device } = kitchen();
    await device.handle("GRILL 10");
    await device.handle("LAMP 50");
    clock.advance(60_000);
    assert.equal(pins.level(2), ON);
    assert.match(device.status(), /running: GRILL 10, 9 min left/);
  });

  it("STOP puts everything safe and cancels what runs", async () => {
    const { clock, pins, device } = kitchen();
    await device.handle("CRISP");
    await device.handle("LAMP 70");
    assert.match(await device.handle("stop"), /^ok: STOP/);
    assert.deepEqual([pins.level(2), pins.level(3), pins.level(4)], [OFF, OFF, 0]);
    clock.advance(120_000);
    await settle();
    assert.deepEqual([pins.level(2), pins.level(3)], [OFF, OFF], "no later step switches anything on");
  });

  it("answers help and status, and refuses bad commands without changing anything", async () => {
    const { pins, device } = kitchen();
    assert.match(await device.handle("HELP"), /Kitchen: commands/);
    assert.match(await device.handle(" status "), /Kitchen: status/);
    const before = pins.log.length;
    assert.match(await device.handle("GRILL 99"), /^error: time must be between 1 and 60 min, got 99/);
    assert.match(await device.handle("BAKE 3"), /^error: unknown command "BAKE"/);
    assert.match(await device.handle("PREHEAT 200"), /^error: PREHEAT takes 2 operands/);
    assert.equal(pins.log.length, before, "no pin was written");
  });

  it("reports status: every driver, what runs with its time left", async () => {
    const { clock, device } = kitchen();
    await device.handle("PREHEAT 180 20");
    clock.advance(8 * 60_000);
    const status = device.status();
    for (const line of [/oven\s+target 180 °C/, /grill\s+off/, /fan\s+on/, /running: PREHEAT 180 20, 12 min left/]) assert.match(status, line);
  });

  it("summarises what it does for presence", async () => {
    const { clock, device } = kitchen();
    assert.equal(device.summary(), "idle");
    await device.handle("PREHEAT 180 20");
    clock.advance(8 * 60_000);
    assert.equal(device.summary(), "Preheat 180 C, 12 min left");
    await device.handle("STOP");
    assert.equal(device.summary(), "idle");
    await device.handle("LAMP 30");
    assert.match(device.summary(), /^lamp 30%$/);
  });

  it("ends a command whose driver tripped, and shows the trip until the driver is commanded again", async () => {
    const { clock, pins, device, trips } = kitchen();
    await device.handle("PREHEAT 200 60");
    pins.temperature("probe").celsius = 360; // past the 350 °C cutoff
    clock.advance(1000);
    await settle();
    assert.equal(trips[0]?.reason, "over-temperature");
    assert.equal(pins.level(3), OFF, "the fan the command had switched on went safe too");
    assert.match(device.status(), /tripped: oven: over-temperature/);
    assert.match(device.summary(), /^tripped: over-temperature/);
    pins.temperature("probe").celsius = 20;
    await device.handle("PREHEAT 100 10");
    assert.doesNotMatch(device.status(), /tripped/);
  });

  it("tells its owner about a change after each command", async () => {
    const { device, changes } = kitchen();
    const before = changes();
    await device.handle("GRILL 1");
    assert.ok(changes() > before);
  });

  it("puts everything safe on safe() (the hub has been gone too long)", async () => {
    const { pins, device } = kitchen();
    await device.handle("GRILL 30");
    await device.handle("LAMP 100");
    device.safe();
    assert.deepEqual([pins.level(2), pins.level(4)], [OFF, 0]);
  });
});

describe("device and a driver's own limit", () => {
  it("lets max on-time end a command that would run longer, and says so", async () => {
    const clock = new FakeClock();
    const pins = new FakePins(clock);
    const trips: Trip[] = [];
    const declaration = readDeviceDeclaration(
      {
        name: "Grill",
        drivers: { grill: { kind: "relay", pin: 2, max_on_s: 600 } },
        opcodes: [{ opcode: "GRILL", task: "Grill", operands: [{ name: "time", type: "duration", unit: "min", min: 1, max: 60 }], action: { set: { grill: "on" }, for: "$time" } }],
      },
      "test",
    );
    const device = createDevice(declaration, { host: clock, pins, onTrip: (trip) => trips.push(trip) });
    await device.handle("GRILL 15");
    clock.advance(600_000);
    await settle();
    assert.equal(pins.level(2), 0);
    assert.equal(trips[0]?.reason, "max-on-time");
    assert.match(device.status(), /nothing running/);
    assert.match(device.status(), /tripped: grill: max on-time/);
  });
});
