// A dimmer: a level in % (on/off as 100/0) as PWM duty.

import { assert } from "../../support/assert.js";
import { dimmer, rig } from "./rig.js";

describe("drivers: dimmer", () => {
  it("writes its level as duty", async () => {
    const { pins, driver } = rig([dimmer("lamp", 14)]);
    await driver("lamp").set(40);
    assert.equal(pins.level(14), Math.round(0.4 * pins.pwmMax));
    assert.deepEqual(driver("lamp").state, { value: 40, active: true, text: "40%" });
  });

  it("takes on and off as 100 and 0", async () => {
    const { pins, driver } = rig([dimmer("lamp", 14)]);
    await driver("lamp").set(true);
    assert.equal(pins.level(14), pins.pwmMax);
    assert.equal(driver("lamp").state.value, 100);
    await driver("lamp").set(false);
    assert.equal(pins.level(14), 0);
    assert.equal(driver("lamp").state.text, "off");
  });

  it("inverts the duty when active low", async () => {
    const { pins, driver } = rig([dimmer("lamp", 14, { active: "low" })]);
    await driver("lamp").set(true);
    assert.equal(pins.level(14), 0);
  });

  it("refuses levels outside 0..100", () => {
    const { driver } = rig([dimmer("lamp", 14)]);
    for (const value of [-5, 100.5, Number.POSITIVE_INFINITY]) {
      assert.match(driver("lamp").check(value) ?? "", /lamp is a dimmer: it takes a level from 0 to 100 % or on\/off/, String(value));
    }
  });

  it("returns to its safe level on safe()", async () => {
    const { pins, driver } = rig([dimmer("lamp", 14, { safe: 10 })]);
    await driver("lamp").set(90);
    driver("lamp").safe();
    assert.equal(pins.level(14), Math.round(0.1 * pins.pwmMax));
  });
});
