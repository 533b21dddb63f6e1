// A relay: on/off through its active level, refusals, safe(), close(), change notices.

import { assert } from "../../support/assert.js";
import { DriverError } from "../../../src/drivers/driver-error.js";
import { relay, rig } from "./rig.js";

describe("drivers: relay", () => {
  it("switches on and off, resolving once the pin is written", async () => {
    const { pins, driver } = rig([relay("fan", 27)]);
    await driver("fan").set(true);
    assert.equal(pins.level(27), 1);
    assert.deepEqual(driver("fan").state, { value: true, active: true, text: "on" });
    await driver("fan").set(false);
    assert.equal(pins.level(27), 0);
    assert.deepEqual(driver("fan").state, { value: false, active: false, text: "off" });
  });

  it("inverts the level when active low", async () => {
    const { pins, driver } = rig([relay("fan", 27, { active: "low" })]);
    await driver("fan").set(true);
    assert.equal(pins.level(27), 0);
  });

  it("takes only booleans", async () => {
    const { pins, driver } = rig([relay("fan", 27)]);
    assert.equal(driver("fan").check(true), undefined);
    assert.match(driver("fan").check(1) ?? "", /fan is a relay: it takes on or off, got 1/);
    await assert.rejects(driver("fan").set(1), (e) => e instanceof DriverError && e.condition === "refused");
    assert.deepEqual(pins.writes(27), [0], "nothing written after the safe state");
  });

  it("goes back to its safe state on safe()", async () => {
    const { pins, driver } = rig([relay("fan", 27), relay("pump", 4, { safe: true })]);
    await driver("fan").set(true);
    await driver("pump").set(false);
    driver("fan").safe();
    driver("pump").safe();
    assert.equal(pins.level(27), 0);
    assert.equal(pins.level(4), 1);
  });

  it("closes once, in its safe state, and refuses sets afterwards", async () => {
    const { pins, driver } = rig([relay("fan", 27)]);
    await driver("fan").set(true);
    driver("fan").close();
    driver("fan").close();
    assert.deepEqual(pins.log.slice(-2).map((e) => [e.action, e.value]), [["write", 0], ["close", undefined]]);
    await assert.rejects(driver("fan").set(true), (e) => e instanceof DriverError && e.condition === "closed");
    driver("fan").safe();
    assert.equal(pins.log.at(-1)?.action, "close", "safe() after close writes nothing");
  });

  it("notifies a change of value, not a repeated one", async () => {
    const { driver, changes } = rig([relay("fan", 27)]);
    await driver("fan").set(true);
    await driver("fan").set(true);
    driver("fan").safe();
    driver("fan").safe();
    assert.deepEqual(changes, ["fan", "fan"]);
  });
});
