// The simulated pins' cost per change must not grow with the changes before it: the desktop device
// switches a relay at every command (bench:commands sends a thousand a second). Counted in XS meter
// units (one per bytecode, plus native functions' own counts), which do not depend on the machine's
// load: the same script gives the same count on every run.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { bundleForXs } from "../xs/bundle.js";
import { ensureXsnap } from "../xs/xsnap.js";

const SCRIPT = `
import { createSimulatedPins } from "./hosts/sim/pins.ts";
import { FakeHost } from "./test/support/fake-host.ts";
const host = new FakeHost();
const fan = { kind: "relay", name: "fan", pin: 27, active: "high", maxOnMs: undefined, safe: false, interlock: undefined, interlockWaitMs: 0 };
const lamp = { kind: "dimmer", name: "lamp", pin: 13, active: "high", maxOnMs: undefined, hz: 1000 };
const pins = createSimulatedPins({ drivers: [fan, lamp], sensors: [], host, log: () => {} });
const relay = pins.digitalOutput(27);
const pwm = pins.pwmOutput(13, 1000);
let level = 0;
// One change of each pin a millisecond: all of them within the summing-up window (30 s).
const changes = (count) => {
  for (let i = 0; i < count; i++) {
    level ^= 1;
    relay.write(level);
    pwm.write(level * 512);
    host.clock.advance(1);
  }
};
const cost = () => {
  resetMeter(0, 0);
  changes(200);
  return resetMeter(0, 0) / 200;
};
changes(50);
const early = cost();
changes(20000);
const late = cost();
print(JSON.stringify({ early, late, kept: pins.writes.length }));
`;

describe("simulated pins: cost per change (XS meter)", function () {
  this.timeout(120_000);

  it("stays the same after 20,000 changes within the summing-up window (no per-change record of a relay, history kept as a ring)", async () => {
    const out = await bundleForXs(SCRIPT, "test/sim-pins-cost");
    const run = spawnSync(ensureXsnap(), ["-s", out], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const { early, late, kept } = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { early: number; late: number; kept: number };
    assert.equal(kept, 1000, "the history still keeps the last WRITE_HISTORY changes");
    assert.ok(late <= early * 1.1, `meter units per change: ${early} after 50 changes, ${late} after 20,050`);
  });
});
