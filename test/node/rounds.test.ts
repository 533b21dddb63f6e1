import assert from "node:assert/strict";
import { DEFAULT_ROUNDS, reportsRound, roundShares, roundsFor } from "../../bench/rounds.js";

describe("bench:commands rounds", () => {
  it("takes 40 rounds unless told, at most half of the count and at least one", () => {
    assert.equal(DEFAULT_ROUNDS, 40);
    assert.equal(roundsFor(2000), 40);
    assert.equal(roundsFor(80), 40);
    // Fewer commands than two a round: each round still gets two of every phase.
    assert.equal(roundsFor(20), 10);
    assert.equal(roundsFor(2), 1);
    assert.equal(roundsFor(2000, 5), 5);
  });

  it("splits the count over the rounds, the first rounds taking the remainder", () => {
    assert.deepEqual(roundShares(2000, 40), Array.from({ length: 40 }, () => 50));
    assert.deepEqual(roundShares(10, 4), [3, 3, 2, 2]);
    for (const [count, rounds] of [[2000, 40], [1999, 40], [7, 3], [5000, 37]] as const) {
      const shares = roundShares(count, rounds);
      assert.equal(shares.length, rounds);
      assert.equal(shares.reduce((a, b) => a + b, 0), count, `${count} over ${rounds}`);
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `${count} over ${rounds}: ${shares.join(",")}`);
    }
  });

  it("reports about every fifth of the rounds, and the last", () => {
    const reported = (rounds: number) => Array.from({ length: rounds }, (_, round) => round).filter((round) => reportsRound(round, rounds)).map((round) => round + 1);
    assert.deepEqual(reported(40), [8, 16, 24, 32, 40]);
    assert.deepEqual(reported(5), [1, 2, 3, 4, 5]);
    assert.deepEqual(reported(7), [2, 4, 6, 7]);
    assert.deepEqual(reported(1), [1]);
  });
});
