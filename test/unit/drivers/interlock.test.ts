// Interlocked relays: never two on at once, the wait after switching the others off, and the
// waits a newer command cancels.

import { assert } from "../../support/assert.js";
import { settle } from "../../support/fake-host.js";
import type { FakePins } from "../../support/fake-pins.js";
import { DriverError } from "../../../src/drivers/driver-error.js";
import { relay, rig } from "./rig.js";

const up = relay("up", 1, { interlock: "motor", interlockWaitMs: 500 });
const down = relay("down", 2, { interlock: "motor", interlockWaitMs: 500 });
const stop = relay("brake", 3, { interlock: "motor", interlockWaitMs: 500 });

/** Replays every write in order and fails if two of `group` were ever on together. */
function assertNeverTwoOn(pins: FakePins, group: number[]): void {
  const on = new Set<number>();
  for (const e of pins.log) {
    if (e.action !== "write" || !group.includes(e.pin as number)) continue;
    if (e.value === 1) on.add(e.pin as number);
    else on.delete(e.pin as number);
    assert.ok(on.size <= 1, `pins ${[...on].join(" and ")} on together at ${e.at} ms`);
  }
}

/** A set whose outcome can be looked at without awaiting it. */
function track(promise: Promise<void>) {
  const outcome: { done: boolean; error: unknown } = { done: false, error: undefined };
  promise.then(
    () => (outcome.done = true),
    (error: unknown) => (outcome.error = error),
  );
  return outcome;
}

describe("drivers: interlock", () => {
  it("switches the other relay off, waits, then switches on", async () => {
    const { clock, pins, driver } = rig([up, down]);
    clock.advance(1000);
    await driver("up").set(true);
    const turning = track(driver("down").set(true));
    await settle();
    assert.equal(pins.level(1), 0, "up is off at once");
    assert.equal(pins.level(2), 0, "down waits");
    assert.equal(driver("down").state.text, "off, switching on after the interlock wait");
    clock.advance(499);
    await settle();
    assert.equal(pins.level(2), 0);
    assert.equal(turning.done, false);
    clock.advance(1);
    await settle();
    assert.equal(pins.level(2), 1);
    assert.ok(turning.done, "set resolved once applied");
    assert.deepEqual(pins.changes(2), [[0, 0], [1500, 1]]);
    assertNeverTwoOn(pins, [1, 2]);
  });

  it("waits after start-up too, when a relay may have been on before a reset", async () => {
    const { clock, pins, driver } = rig([up, down]);
    const turning = track(driver("up").set(true));
    clock.advance(500);
    await settle();
    assert.ok(turning.done);
    assert.deepEqual(pins.changes(1), [[0, 0], [500, 1]]);
  });

  it("switches on at once when the others have long been off", async () => {
    const { clock, pins, driver } = rig([up, down]);
    clock.advance(10_000);
    await driver("up").set(true);
    assert.equal(pins.level(1), 1);
  });

  it("switches on right after the others when the wait is 0, never both on", async () => {
    const { pins, driver } = rig([relay("a", 1, { interlock: "g" }), relay("b", 2, { interlock: "g" }), relay("c", 3, { interlock: "g" })]);
    await driver("a").set(true);
    await driver("b").set(true);
    await driver("c").set(true);
    await driver("a").set(true);
    assert.deepEqual([pins.level(1), pins.level(2), pins.level(3)], [1, 0, 0]);
    assertNeverTwoOn(pins, [1, 2, 3]);
  });

  it("never has two on together through a burst of commands", async () => {
    const { clock, pins, driver } = rig([up, down, stop]);
    const names = ["up", "down", "brake", "down", "up", "up", "brake"];
    for (const [i, name] of names.entries()) {
      driver(name).set(true).catch(() => {});
      clock.advance(i % 2 === 0 ? 200 : 700);
      await settle();
    }
    clock.advance(1000);
    assertNeverTwoOn(pins, [1, 2, 3]);
  });

  it("cancels the wait on safe(): the set rejects and the relay stays off", async () => {
    const { clock, pins, driver } = rig([up, down]);
    const turning = track(driver("up").set(true));
    driver("up").safe();
    clock.advance(1000);
    await settle();
    assert.ok(turning.error instanceof DriverError && turning.error.condition === "cancelled", String(turning.error));
    assert.deepEqual(pins.changes(1), [[0, 0]]);
  });

  it("cancels the wait on a newer set of the same relay", async () => {
    const { clock, pins, driver } = rig([up, down]);
    const first = track(driver("up").set(true));
    await driver("up").set(false);
    clock.advance(1000);
    await settle();
    assert.ok(first.error instanceof DriverError && first.error.condition === "cancelled");
    assert.equal(pins.level(1), 0);
  });

  it("cancels the wait when another relay of the group is switched on", async () => {
    const { clock, pins, driver } = rig([up, down]);
    const first = track(driver("up").set(true));
    clock.advance(200);
    const second = track(driver("down").set(true));
    clock.advance(1000);
    await settle();
    assert.match(String(first.error), /switching up on was cancelled: down is switching on in interlock group motor/);
    assert.ok(second.done);
    assert.deepEqual([pins.level(1), pins.level(2)], [0, 1]);
  });

  it("notifies the relay switched off by another", async () => {
    const { clock, driver, changes } = rig([up, down]);
    clock.advance(1000);
    await driver("up").set(true);
    driver("down").set(true).catch(() => {});
    clock.advance(500);
    await settle();
    assert.deepEqual(changes, ["up", "up", "down"]);
  });

  it("leaves relays of other groups alone", async () => {
    const { pins, driver } = rig([relay("a", 1, { interlock: "g" }), relay("b", 2, { interlock: "h" }), relay("c", 3)]);
    await driver("a").set(true);
    await driver("b").set(true);
    await driver("c").set(true);
    assert.deepEqual([pins.level(1), pins.level(2), pins.level(3)], [1, 1, 1]);
  });
});
