// A heater without a sensor: power in % as PWM duty, or as a relay switched time-proportionally
// (slow PWM) over its period.

import { assert } from "../../support/assert.js";
import { DriverError } from "../../../src/drivers/driver-error.js";
import { heater, rig } from "./rig.js";

describe("drivers: heater (power)", () => {
  it("scales power to the PWM range", async () => {
    const { pins, driver } = rig([heater("oven", 25)]);
    await driver("oven").set(62);
    assert.equal(pins.level(25), Math.round(0.62 * pins.pwmMax));
    await driver("oven").set(100);
    assert.equal(pins.level(25), pins.pwmMax);
    assert.deepEqual(driver("oven").state, { value: 100, active: true, text: "100% power" });
  });

  it("inverts the duty when active low", async () => {
    const { pins, driver } = rig([heater("oven", 25, { active: "low" })]);
    await driver("oven").set(25);
    assert.equal(pins.level(25), Math.round(0.75 * pins.pwmMax));
  });

  it("takes a number from 0 to 100", async () => {
    const { driver } = rig([heater("oven", 25)]);
    assert.equal(driver("oven").check(0), undefined);
    assert.equal(driver("oven").check(100), undefined);
    for (const value of [-1, 101, Number.NaN, true]) {
      assert.match(driver("oven").check(value) ?? "", /oven is a heater: it takes a power from 0 to 100 %/, String(value));
    }
    await assert.rejects(driver("oven").set(101), DriverError);
  });

  it("reports off at 0, and goes to 0 on safe()", async () => {
    const { pins, driver } = rig([heater("oven", 25)]);
    await driver("oven").set(40);
    driver("oven").safe();
    assert.equal(pins.level(25), 0);
    assert.deepEqual(driver("oven").state, { value: 0, active: false, text: "off" });
  });
});

describe("drivers: heater (slow PWM relay)", () => {
  const slow = heater("oven", 25, { output: "relay", periodMs: 10_000 });

  it("is on for duty × period at the start of every period", async () => {
    const { clock, pins, driver } = rig([slow]);
    await driver("oven").set(30);
    clock.advance(30_000);
    assert.deepEqual(pins.changes(25), [[0, 0], [0, 1], [3000, 0], [10_000, 1], [13_000, 0], [20_000, 1], [23_000, 0], [30_000, 1]]);
    assert.equal(driver("oven").state.active, true, "active while off inside a period");
  });

  it("applies a new command at once, starting a new period", async () => {
    const { clock, pins, driver } = rig([slow]);
    await driver("oven").set(50);
    clock.advance(6000);
    await driver("oven").set(20);
    assert.equal(pins.level(25), 1, "a new period starts now, on for 20 %");
    clock.advance(10_000);
    assert.deepEqual(pins.changes(25), [[0, 0], [0, 1], [5000, 0], [6000, 1], [8000, 0], [16_000, 1]]);
  });

  it("switches off at once when the duty drops to 0 inside a period", async () => {
    const { clock, pins, driver } = rig([slow]);
    await driver("oven").set(80);
    clock.advance(1000);
    await driver("oven").set(0);
    assert.equal(pins.level(25), 0);
    clock.advance(20_000);
    assert.deepEqual(pins.changes(25), [[0, 0], [0, 1], [1000, 0]]);
  });

  it("holds the relay steadily at 0 % and 100 %, with no toggles", async () => {
    const { clock, pins, driver } = rig([slow]);
    await driver("oven").set(100);
    clock.advance(25_000);
    await driver("oven").set(0);
    clock.advance(25_000);
    assert.deepEqual(pins.changes(25), [[0, 0], [0, 1], [25_000, 0]]);
    assert.equal(clock.pending, 0, "no timer runs at 0 % or 100 %");
  });

  it("switches off and stops cycling on safe()", async () => {
    const { clock, pins, driver } = rig([slow]);
    await driver("oven").set(50);
    clock.advance(1000);
    driver("oven").safe();
    clock.advance(30_000);
    assert.deepEqual(pins.changes(25), [[0, 0], [0, 1], [1000, 0]]);
  });

  it("does not notify for slow PWM toggles", async () => {
    const { clock, driver, changes } = rig([slow]);
    await driver("oven").set(50);
    clock.advance(30_000);
    assert.deepEqual(changes, ["oven"]);
  });
});
