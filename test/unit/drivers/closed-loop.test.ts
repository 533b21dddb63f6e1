// A heater with a sensor: a target held by a proportional band, the over-temperature cutoff,
// sensor failures, and the watch kept on an idle heater.

import { assert } from "../../support/assert.js";
import { DriverError } from "../../../src/drivers/driver-error.js";
import { BAND_C, SAMPLE_MS } from "../../../src/drivers/heater.js";
import { oven, rig, sensor } from "./rig.js";

function ovenRig(more = {}) {
  const r = rig([oven("oven", 25, more)], [sensor("cavity", 34)]);
  return { ...r, cavity: r.pins.temperature("cavity"), duty: () => (r.pins.level(25) ?? 0) / r.pins.pwmMax };
}

describe("drivers: heater (closed loop)", () => {
  it("heats toward the target and settles just below it", async () => {
    const { clock, driver, cavity, duty } = ovenRig();
    await driver("oven").set(180);
    let highest = cavity.celsius;
    for (let s = 0; s < 600; s++) {
      // 4 °C/s at full power, 1 %/s of the difference to a 20 °C room lost
      cavity.celsius += 4 * duty() - 0.01 * (cavity.celsius - 20);
      highest = Math.max(highest, cavity.celsius);
      clock.advance(SAMPLE_MS);
    }
    assert.ok(cavity.celsius > 180 - BAND_C && cavity.celsius < 180, `settled at ${cavity.celsius}`);
    assert.ok(highest < 180, `never above the target (highest ${highest})`);
    assert.match(driver("oven").state.text, /^target 180 °C, now 17\d\.\d °C, duty \d+%$/);
  });

  it("runs full power a band below the target, half at half the band, none at the target", async () => {
    const { clock, driver, cavity, duty } = ovenRig();
    cavity.celsius = 180 - BAND_C;
    await driver("oven").set(180);
    assert.equal(duty(), 1);
    cavity.celsius = 180 - BAND_C / 2;
    clock.advance(SAMPLE_MS);
    assert.ok(Math.abs(duty() - 0.5) < 0.01, `duty ${duty()}`);
    cavity.celsius = 180;
    clock.advance(SAMPLE_MS);
    assert.equal(duty(), 0);
    assert.equal(driver("oven").state.active, false);
    assert.equal(driver("oven").state.value, 180, "still holding the target");
  });

  it("takes targets from 0 to max_c", () => {
    const { driver } = ovenRig();
    assert.equal(driver("oven").check(400), undefined);
    assert.match(driver("oven").check(401) ?? "", /oven is a heater: it takes a target from 0 \(off\) to 400 °C, got 401/);
  });

  it("trips at the cutoff: off first, then reported, and stays off", async () => {
    const { clock, pins, driver, cavity, trips, changes } = ovenRig();
    await driver("oven").set(180);
    cavity.celsius = 450;
    clock.advance(SAMPLE_MS);
    assert.equal(pins.level(25), 0);
    assert.deepEqual(trips, [{ driver: "oven", reason: "over-temperature", text: "over-temperature at 450.0 °C" }]);
    assert.deepEqual(driver("oven").state, { value: 0, active: false, text: "off (tripped: over-temperature at 450.0 °C)" });
    assert.deepEqual(changes, ["oven", "oven"]);
    cavity.celsius = 20;
    clock.advance(10 * SAMPLE_MS);
    assert.equal(pins.level(25), 0);
    assert.equal(trips.length, 1);
  });

  it("clears the trip on the next set", async () => {
    const { clock, driver, cavity } = ovenRig();
    await driver("oven").set(180);
    cavity.celsius = 451;
    clock.advance(SAMPLE_MS);
    cavity.celsius = 100;
    await driver("oven").set(150);
    assert.equal(driver("oven").state.text, "target 150 °C, now 100.0 °C, duty 100%");
  });

  it("refuses to heat an oven already over its cutoff", async () => {
    const { clock, pins, driver, cavity, trips } = ovenRig();
    cavity.celsius = 460;
    await assert.rejects(driver("oven").set(100), (e) => e instanceof DriverError && e.condition === "tripped" && /over-temperature at 460.0 °C/.test(e.message));
    assert.deepEqual(pins.writes(25).filter((v) => v !== 0), [], "never energised");
    clock.advance(5 * SAMPLE_MS);
    assert.equal(trips.length, 1, "reported once, not again every second");
  });

  it("trips when the sensor cannot be read", async () => {
    const { clock, pins, driver, cavity, trips } = ovenRig();
    await driver("oven").set(180);
    cavity.failure = new Error("no reply from the thermocouple");
    clock.advance(SAMPLE_MS);
    assert.equal(pins.level(25), 0);
    assert.deepEqual(trips, [{ driver: "oven", reason: "sensor-failure", text: "sensor cavity failed: no reply from the thermocouple" }]);
  });

  for (const [celsius, what] of [[-222, "an open AD8495 on an ESP32"], [1500, "a shorted probe"]] as const) {
    it(`trips on a reading outside the sensor's plausible window (${celsius} °C, ${what}), and says what to check`, async () => {
      const { clock, pins, driver, cavity, trips } = ovenRig();
      await driver("oven").set(180);
      cavity.celsius = celsius;
      clock.advance(SAMPLE_MS);
      assert.equal(pins.level(25), 0);
      assert.equal(trips[0]?.reason, "sensor-failure");
      assert.match(trips[0]!.text, new RegExp(`sensor cavity failed: it reads ${celsius.toFixed(1)} °C, outside its plausible window -40\\.\\.1000 °C: an open or shorted probe, or the wrong scale .*plausible_min_c/plausible_max_c`));
      assert.equal(driver("oven").state.value, 0);
    });
  }

  it("trips on a reading that is not a number", async () => {
    const { clock, driver, cavity, trips } = ovenRig();
    await driver("oven").set(180);
    cavity.celsius = Number.NaN;
    clock.advance(SAMPLE_MS);
    assert.equal(trips[0]?.reason, "sensor-failure");
    assert.equal(driver("oven").state.value, 0);
  });

  it("switches off without a reading", async () => {
    const { driver, cavity } = ovenRig();
    await driver("oven").set(180);
    cavity.failure = new Error("unplugged");
    await driver("oven").set(0);
    assert.equal(driver("oven").state.text, "off");
  });

  it("watches an idle heater: an element stuck on still trips at the cutoff", () => {
    const { clock, cavity, trips } = ovenRig();
    cavity.celsius = 455;
    clock.advance(SAMPLE_MS);
    assert.deepEqual(trips.map((t) => t.reason), ["over-temperature"]);
    const samples = cavity.samples;
    clock.advance(10 * SAMPLE_MS);
    assert.equal(cavity.samples, samples, "no more readings until the next set");
  });

  it("drives a relay output by slow PWM from the loop's duty", async () => {
    const { clock, pins, driver, cavity } = ovenRig({ output: "relay", periodMs: 10_000 });
    cavity.celsius = 180 - BAND_C / 2;
    await driver("oven").set(180);
    clock.advance(10_000);
    assert.deepEqual(pins.changes(25), [[0, 0], [0, 1], [5000, 0], [10_000, 1]]);
  });

  it("closes the sensor with the heater and reads it no more", () => {
    const { clock, pins, driver, cavity } = ovenRig();
    driver("oven").close();
    assert.ok(cavity.closed);
    assert.equal(pins.isOpen(34), false);
    assert.equal(clock.pending, 0);
  });
});
