import assert from "node:assert/strict";
import { warmUp, type WarmUpPlan } from "../../bench/warm-up.js";

type Kind = "status" | "PREHEAT";
type Mode = "one" | "pipelined";
const phases = (["status", "PREHEAT"] as const).flatMap((kind) => (["one", "pipelined"] as const).map((mode) => ({ kind, mode })));
const plan = (commands: number, minMs: number): WarmUpPlan<Kind, Mode> => ({ phases, commands, first: "PREHEAT", extraMode: "one", extra: 200, minMs });

/** A clock that moves only when the warm-up runs commands: `msPerCommand` each. */
function fakeRun(msPerCommand: number) {
  let clock = 1_000;
  const runs: string[] = [];
  return {
    runs,
    now: () => clock,
    run: async (kind: Kind, mode: Mode, commands: number) => {
      runs.push(`${kind} ${mode} ${commands}`);
      clock += commands * msPerCommand;
    },
  };
}

describe("bench:commands warm-up", () => {
  it("warms every phase with the given commands, the state-changing kind first", async () => {
    const fake = fakeRun(0.001);
    const done = await warmUp(plan(1500, 0), fake.run, fake.now);
    assert.deepEqual(fake.runs, ["PREHEAT one 1500", "PREHEAT pipelined 1500", "status one 1500", "status pipelined 1500"]);
    assert.equal(done.extraCommands, 0);
    assert.ok(Math.abs(done.ms - 6) < 1e-9, `${done.ms} ms`);
  });

  it("runs more of the first kind until the least time has passed since that kind began", async () => {
    // 1 ms a command: the four phases take 400 ms from PREHEAT's start (it goes first); 1,000 ms
    // needs 600 more, three runs of 200.
    const fake = fakeRun(1);
    const done = await warmUp(plan(100, 1_000), fake.run, fake.now);
    assert.deepEqual(fake.runs.slice(4), ["PREHEAT one 200", "PREHEAT one 200", "PREHEAT one 200"]);
    assert.equal(done.extraCommands, 600);
    assert.equal(done.ms, 1_000);
  });

  it("stops adding as soon as the time is reached, even mid-way through a batch's worth", async () => {
    const fake = fakeRun(1);
    const done = await warmUp(plan(100, 450), fake.run, fake.now);
    // 400 ms after the phases, one batch of 200 takes it to 600: past 450, so no second.
    assert.equal(done.extraCommands, 200);
    assert.equal(fake.runs.length, 5);
  });

  it("does nothing at all with no commands (--warm-up 0), not even the least time", async () => {
    const fake = fakeRun(1);
    const done = await warmUp(plan(0, 12_000), fake.run, fake.now);
    assert.deepEqual(fake.runs, []);
    assert.deepEqual(done, { extraCommands: 0, ms: 0 });
  });
});
