// createDrivers: every output opened and at its safe state before it returns, in declaration
// order, active levels applied; declarations that cannot be run safely refused before any pin.

import { assert } from "../../support/assert.js";
import { FakeClock } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { createDrivers } from "../../../src/drivers/drivers.js";
import type { DriverDeclaration } from "../../../src/drivers/declarations.js";
import { dimmer, heater, oven, relay, rig, sensor } from "./rig.js";

function tryCreate(declarations: DriverDeclaration[], sensors = [sensor("cavity", 34)]) {
  const clock = new FakeClock();
  const pins = new FakePins(clock);
  let error: unknown;
  try {
    createDrivers(declarations, sensors, { host: clock, pins, onTrip: () => {} });
  } catch (e) {
    error = e;
  }
  return { pins, error };
}

describe("drivers: creation", () => {
  it("writes each output's safe state right after opening it, in declaration order", () => {
    const { pins } = rig([relay("fan", 27), heater("oven", 25), dimmer("lamp", 14)]);
    const events = pins.log.map((e) => `${e.action} ${e.pin}${e.value === undefined ? "" : ` ${e.value}`}`);
    assert.deepEqual(events, ["open 27", "write 27 0", "open 25", "write 25 0", "open 14", "write 14 0"]);
  });

  it("writes the inverted level for active-low outputs", () => {
    const { pins } = rig([relay("fan", 27, { active: "low" }), heater("oven", 25, { active: "low" }), dimmer("lamp", 14, { active: "low" }), heater("grill", 26, { output: "relay", active: "low" })]);
    assert.equal(pins.level(27), 1);
    assert.equal(pins.level(25), pins.pwmMax);
    assert.equal(pins.level(14), pins.pwmMax);
    assert.equal(pins.level(26), 1);
  });

  it("switches a relay whose safe state is on, on", () => {
    const { pins, driver } = rig([relay("pump", 4, { safe: true }), relay("pump_low", 5, { safe: true, active: "low" })]);
    assert.equal(pins.level(4), 1);
    assert.equal(pins.level(5), 0);
    assert.equal(driver("pump").state.value, true);
  });

  it("starts a dimmer at its safe level", () => {
    const { pins, driver } = rig([dimmer("lamp", 14, { safe: 25 })]);
    assert.equal(pins.level(14), Math.round(0.25 * pins.pwmMax));
    assert.equal(driver("lamp").state.text, "25%");
  });

  it("opens a heater's PWM at its declared frequency", () => {
    const { pins } = rig([heater("oven", 25, { hz: 500 })]);
    assert.equal(pins.hz(25), 500);
  });

  it("opens sensors after every output, and only those a heater reads", () => {
    const { pins } = rig([oven("oven", 25), relay("fan", 27)], [sensor("cavity", 34), sensor("spare", 35)]);
    assert.deepEqual(pins.log.filter((e) => e.action === "open").map((e) => e.pin), [25, 27, 34]);
  });

  it("calls no onChange for the safe state written at creation", () => {
    const { changes } = rig([relay("pump", 4, { safe: true }), dimmer("lamp", 14, { safe: 10 })]);
    assert.deepEqual(changes, []);
  });

  for (const [what, declarations] of [
    ["a safe-on relay in an interlock group", [relay("a", 1, { safe: true, interlock: "g" }), relay("b", 2, { interlock: "g" })]],
    ["a safe-on relay with max_on_s", [relay("a", 1, { safe: true, maxOnMs: 1000 })]],
    ["a dimmer with a safe level and max_on_s", [dimmer("a", 1, { safe: 10, maxOnMs: 1000 })]],
    ["a dimmer with a safe level over 100", [dimmer("a", 1, { safe: 150 })]],
    ["a heater reading an unknown sensor", [heater("a", 1, { sensor: "nope", maxC: 100, cutoffC: 150 })]],
    ["a heater with a sensor and no cutoff", [heater("a", 1, { sensor: "cavity", maxC: 100 })]],
    ["a heater whose cutoff is not above max_c", [oven("a", 1, { cutoffC: 400 })]],
    ["two drivers of one name", [relay("a", 1), relay("a", 2)]],
  ] as [string, DriverDeclaration[]][]) {
    it(`refuses ${what} before opening any pin`, () => {
      const { pins, error } = tryCreate(declarations);
      assert.ok(error instanceof Error, "createDrivers throws");
      assert.match(error.message, /^driver a/);
      assert.deepEqual(pins.log, []);
    });
  }

  it("puts every output opened so far safe and closes it when a later pin cannot be opened", () => {
    const { pins, error } = tryCreate([relay("fan", 27), relay("light", 27)]);
    assert.match(String(error), /pin 27 is already open/);
    assert.deepEqual(pins.log.map((e) => e.action), ["open", "write", "write", "close"]);
    assert.equal(pins.isOpen(27), false);
  });
});
