// Time-proportional switching of a relay: a control loop's duty changes are latched per period,
// so a contactor switches at most twice a period; off is immediate; a command restarts the period.

import { assert } from "../../support/assert.js";
import { FakeClock } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { OnOffOutput } from "../../../src/drivers/output.js";
import { SlowPwm } from "../../../src/drivers/slow-pwm.js";

function setup() {
  const clock = new FakeClock();
  const pins = new FakePins(clock);
  const output = new SlowPwm(new OnOffOutput(pins.digitalOutput(7), "high"), 10_000, clock);
  return { clock, pins, output };
}

describe("slow PWM", () => {
  it("keeps the running period's duty when the loop writes a new one", () => {
    const { clock, pins, output } = setup();
    output.write(0.5);
    clock.advance(2000);
    output.write(0.2);
    clock.advance(18_000);
    assert.deepEqual(pins.changes(7), [[0, 1], [5000, 0], [10_000, 1], [12_000, 0], [20_000, 1]]);
  });

  it("switches at most twice a period while the loop changes the duty every second", () => {
    const { clock, pins, output } = setup();
    for (let second = 0; second < 60; second++) {
      output.write(((second * 37) % 90) / 100 + 0.05); // 5 %..94 %, a new value every second
      clock.advance(1000);
    }
    const changes = pins.changes(7).length;
    assert.ok(changes <= 2 * 6 + 1, `${changes} changes in 6 periods`);
    assert.ok(changes >= 6, "it does switch");
  });

  it("goes off at once on 0, and does not start a new period before the running one ends", () => {
    const { clock, pins, output } = setup();
    output.write(0.5);
    clock.advance(1000);
    output.write(0);
    assert.equal(pins.level(7), 0);
    clock.advance(1000);
    output.write(0.5);
    assert.equal(pins.level(7), 0, "the loop's duty waits for the next period");
    clock.advance(8000);
    assert.deepEqual(pins.changes(7), [[0, 1], [1000, 0], [10_000, 1]]);
  });

  it("restarts the period at once for a command", () => {
    const { clock, pins, output } = setup();
    output.write(0.5);
    clock.advance(1000);
    output.restart(0);
    clock.advance(1000);
    output.restart(0.3);
    assert.equal(pins.level(7), 1);
    clock.advance(3000);
    assert.equal(pins.level(7), 0);
    assert.deepEqual(pins.changes(7), [[0, 1], [1000, 0], [2000, 1], [5000, 0]]);
  });

  it("holds the relay on at 100 % without toggling, and leaves no timer at 0 %", () => {
    const { clock, pins, output } = setup();
    output.write(1);
    clock.advance(60_000);
    assert.deepEqual(pins.changes(7), [[0, 1]]);
    output.restart(0);
    assert.equal(clock.pending, 0);
  });
});
