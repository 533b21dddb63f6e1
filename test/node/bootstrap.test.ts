import assert from "node:assert/strict";
import { ratioSpread } from "../../bench/bootstrap.js";

/** `rounds` rounds of `each` times: 1, 2, ... each, the same in every round. */
const even = (rounds: number, each: number): number[][] => Array.from({ length: rounds }, () => Array.from({ length: each }, (_, i) => i + 1));

describe("bench:commands ratio spread over the rounds", () => {
  it("has no spread when both contenders took the same times in every round", () => {
    const spread = ratioSpread(even(20, 50), even(20, 50), { p: 99, target: 1.5 });
    assert.deepEqual(spread, { ratio: 1, low: 1, high: 1, withinShare: 1 });
  });

  it("keeps a ratio that every round shares, and counts it against the target", () => {
    const bot = even(20, 50);
    const device = bot.map((round) => round.map((time) => time * 2));
    const spread = ratioSpread(device, bot, { p: 99, target: 1.5 });
    assert.deepEqual(spread, { ratio: 2, low: 2, high: 2, withinShare: 0 });
    assert.equal(ratioSpread(device, bot, { p: 99, target: 2 }).withinShare, 1);
  });

  it("spreads when the device's slowest times come from a few rounds only", () => {
    // 20 rounds of 50: the pooled p99 of 1,000 is the 11th slowest. Three of the device's rounds
    // had a burst of 5 slow times each (15 in all), so its p99 is one of them; a resample that
    // draws those rounds fewer times has fewer than 11 slow times, and a p99 of an ordinary one.
    const bot = even(20, 50);
    const device = even(20, 50);
    for (const round of [2, 9, 15]) for (let i = 0; i < 5; i++) device[round]![i] = 500;
    const spread = ratioSpread(device, bot, { p: 99, target: 1.5 });
    assert.equal(spread.ratio, 10);
    assert.equal(spread.high, 10);
    assert.equal(spread.low, 1);
    assert.ok(spread.withinShare > 0.05 && spread.withinShare < 0.95, `within in ${spread.withinShare}`);
  });

  it("gives the same spread for the same seed", () => {
    const bot = even(10, 20).map((round, r) => round.map((time) => time + r));
    const device = even(10, 20).map((round, r) => round.map((time) => time * (1 + (r % 3) / 2)));
    const a = ratioSpread(device, bot, { p: 99, target: 1.5, seed: 7, resamples: 300 });
    const b = ratioSpread(device, bot, { p: 99, target: 1.5, seed: 7, resamples: 300 });
    assert.deepEqual(a, b);
    assert.ok(a.low <= a.ratio && a.ratio <= a.high, JSON.stringify(a));
    assert.ok(a.low < a.high, JSON.stringify(a));
  });

  it("refuses rounds that do not pair up, or no times at all", () => {
    assert.throws(() => ratioSpread(even(3, 5), even(4, 5), { p: 99, target: 1.5 }), /3 rounds of the device against 4 of the bot/);
    assert.throws(() => ratioSpread([], [], { p: 99, target: 1.5 }), /0 rounds/);
    assert.throws(() => ratioSpread([[], []], [[1], [2]], { p: 99, target: 1.5 }), /no times/);
  });
});
