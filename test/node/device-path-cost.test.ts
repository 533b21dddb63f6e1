// The device's own work per command, in XS meter units (one per bytecode, plus native functions'
// own counts: the same on every run, whatever the machine's load), within a budget: the path of
// `npm run bench:device-path` (bench/device-path-workload.ts), from an owner's chat message to the
// write of its reply, receipt and <a/>, for `status` and for `PREHEAT 350 20`/`STOP`. A change that
// makes every command cost more on the board fails here; one that is worth it raises the budget,
// with the figures in its commit.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { bundleForXs } from "../xs/bundle.js";
import { ensureXsnap } from "../xs/xsnap.js";

/** Meter units per command; measured at 45,621 (status) and 50,260 (PREHEAT/STOP), 2,000 of each (PREHEAT/STOP 50,607 before the simulated pins kept their history in columns, 50,578 before execute pushed its durations; 46,961 and 54,508 before the presence text was read only when it may be sent; PREHEAT/STOP 51,158 before parsed commands' values were frozen from their prototype, 50,825 before STOP skipped building the label). */
const BUDGET: Record<string, number> = { status: 46_500, "PREHEAT 350 20 / STOP": 52_500 };

describe("the device's path for one command: cost on XS (meter units)", function () {
  this.timeout(120_000);

  it("stays within its budget for status and PREHEAT/STOP, each reply with its receipt in one write", async () => {
    const out = await bundleForXs(`import { measure } from "./bench/device-path-workload.ts"; measure(300).then((result) => print(JSON.stringify(result)), (error) => print(JSON.stringify({ error: String(error) })));`, "test/device-path-cost");
    const run = spawnSync(ensureXsnap(), ["-s", out], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { error?: string; costs: { kind: string; units: number }[]; sample: string[] };
    assert.equal(result.error, undefined);
    assert.equal(result.sample.length, 1, "reply, receipt and <a/> leave in one write");
    assert.deepEqual(result.costs.map((cost) => cost.kind), Object.keys(BUDGET));
    for (const { kind, units } of result.costs) {
      assert.ok(units <= BUDGET[kind]!, `${kind}: ${Math.round(units)} meter units per command, over its budget of ${BUDGET[kind]}`);
    }
  });
});
