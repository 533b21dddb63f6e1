// The failure paths on the ESP32 profile of the simulator (XS heaps fixed at the ESP32 creation,
// no growth): 1,000 connects to a loopback port nobody listens on and 100 Wi-Fi drops, with what
// is live after a collection printed every hundred connects and ten drops. Before failed
// connects closed their sockets, this aborted with "memory full" within the first attempts.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { freeLoopbackPort } from "../../hosts/node/hub/loopback-port.js";
import { projectRoot } from "../../hosts/node/project.js";
import { simulatorMissing } from "../support/sim-process.js";

const CONNECTS = 1000;
const DROPS = 100;

function figures(output: string, pattern: RegExp): { when: string; chunks: number; slots: number }[] {
  return [...output.matchAll(pattern)].map((match) => ({ when: match[1]!, chunks: Number(match[2]), slots: Number(match[3]) }));
}

describe("failed connects and Wi-Fi drops on the ESP32 profile", function () {
  this.timeout(900_000);

  before(function () {
    const missing = simulatorMissing();
    if (missing) {
      console.log(`    skipped: ${missing}`);
      this.skip();
    }
  });

  it(`survives ${CONNECTS} refused connects and ${DROPS} Wi-Fi drops in the ESP32's fixed heaps, with live slots and chunks flat`, async () => {
    const [refused, xsbug] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const result = spawnSync(
      process.execPath,
      [join(projectRoot(), "scripts/moddable.mjs"), "soak", "--port", String(xsbug), `soak_port=${refused}`, `soak_connects=${CONNECTS}`, `soak_drops=${DROPS}`, "ssid=Home"],
      { encoding: "utf8", timeout: 880_000 },
    );
    const output = `${result.stdout}${result.stderr}`;
    assert.doesNotMatch(output, /XS abort/, output.slice(-3000));
    assert.equal(result.status, 0, output.slice(-3000));
    assert.match(output, new RegExp(`soak connects ${CONNECTS} of ${CONNECTS} failed as expected`));
    assert.match(output, /soak first failure: cannot connect to 127\.0\.0\.1:\d+: connection refused or unreachable/);
    assert.match(output, new RegExp(`soak wifi ${DROPS} rejoins after ${DROPS} drops`));
    const connects = figures(output, /soak memory after (\d+) failed connects: chunks (\d+) slots (\d+)/g);
    const drops = figures(output, /soak memory after (\d+) wifi drops: chunks (\d+) slots (\d+)/g);
    assert.equal(connects.length, CONNECTS / 100);
    assert.equal(drops.length, DROPS / 10);
    // Flat: from the first hundred to the last, what is live grows by no more than a few percent
    // (the heaps' own bookkeeping moves a little); a leak of a socket's closure per attempt would
    // add thousands of slots.
    for (const series of [connects, drops]) {
      const [first, last] = [series[0]!, series.at(-1)!];
      console.log(`      live after ${first.when} and ${last.when}: slots ${first.slots} -> ${last.slots}, chunks ${first.chunks} -> ${last.chunks}`);
      assert.ok(last.slots <= first.slots * 1.05 + 16, `slots grew ${first.slots} -> ${last.slots}`);
      assert.ok(last.chunks <= first.chunks * 1.05 + 256, `chunks grew ${first.chunks} -> ${last.chunks}`);
    }
  });
});
