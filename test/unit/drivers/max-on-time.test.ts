// max_on_s: an output on too long without a break goes safe and reports a trip; only a break
// restarts the count.

import { assert } from "../../support/assert.js";
import { FakeClock } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { createDrivers } from "../../../src/drivers/drivers.js";
import { describeDuration } from "../../../src/drivers/max-on-time.js";
import { dimmer, heater, oven, relay, rig, sensor } from "./rig.js";

describe("drivers: max on-time", () => {
  it("switches a relay off after max_on_s and reports why", async () => {
    const { clock, pins, driver, trips, changes } = rig([relay("grill", 26, { maxOnMs: 60_000 })]);
    await driver("grill").set(true);
    clock.advance(59_999);
    assert.equal(pins.level(26), 1);
    clock.advance(1);
    assert.equal(pins.level(26), 0);
    assert.deepEqual(trips, [{ driver: "grill", reason: "max-on-time", text: "max on-time of 1 min reached" }]);
    assert.equal(driver("grill").state.text, "off (tripped: max on-time of 1 min reached)");
    assert.deepEqual(changes, ["grill", "grill"]);
  });

  it("is not restarted by sending on again", async () => {
    const { clock, pins, driver } = rig([relay("grill", 26, { maxOnMs: 60_000 })]);
    await driver("grill").set(true);
    clock.advance(50_000);
    await driver("grill").set(true);
    clock.advance(10_000);
    assert.equal(pins.level(26), 0);
  });

  it("is restarted by a break", async () => {
    const { clock, pins, driver, trips } = rig([relay("grill", 26, { maxOnMs: 60_000 })]);
    await driver("grill").set(true);
    clock.advance(50_000);
    await driver("grill").set(false);
    await driver("grill").set(true);
    clock.advance(59_000);
    assert.equal(pins.level(26), 1);
    assert.equal(trips.length, 0);
  });

  it("counts a heater holding its target, even at duty 0", async () => {
    const { clock, pins, driver, trips } = rig([oven("oven", 25, { maxOnMs: 10_000 })], [sensor("cavity", 34)]);
    pins.temperature("cavity").celsius = 180;
    await driver("oven").set(180);
    clock.advance(10_000);
    assert.deepEqual(trips.map((t) => t.reason), ["max-on-time"]);
    assert.equal(driver("oven").state.value, 0);
  });

  it("switches a heater and a dimmer off too", async () => {
    const { clock, pins, driver, trips } = rig([heater("oven", 25, { maxOnMs: 5000 }), dimmer("lamp", 14, { maxOnMs: 5000 })]);
    await driver("oven").set(50);
    await driver("lamp").set(30);
    clock.advance(5000);
    assert.deepEqual([pins.level(25), pins.level(14)], [0, 0]);
    assert.deepEqual(trips.map((t) => t.driver), ["oven", "lamp"]);
  });

  it("reports a trip only once the output is already safe", async () => {
    const clock = new FakeClock();
    const pins = new FakePins(clock);
    const levels: (number | undefined)[] = [];
    const drivers = createDrivers([relay("grill", 26, { maxOnMs: 1000 })], [], { host: clock, pins, onTrip: () => levels.push(pins.level(26)) });
    await drivers.get("grill")!.set(true);
    clock.advance(1000);
    assert.deepEqual(levels, [0]);
  });

  it("stops counting on safe()", async () => {
    const { clock, driver, trips } = rig([relay("grill", 26, { maxOnMs: 1000 })]);
    await driver("grill").set(true);
    driver("grill").safe();
    clock.advance(5000);
    assert.equal(trips.length, 0);
    assert.equal(clock.pending, 0);
  });

  it("says how long the limit was in the largest fitting unit", () => {
    assert.deepEqual([1500, 90_000, 2_700_000, 7_200_000, 5_400_000].map(describeDuration), ["1.5 s", "90 s", "45 min", "2 h", "1 h 30 min"]);
  });
});
