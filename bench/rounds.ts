// How bench:commands splits its measured commands into rounds: each round runs a share of every
// phase, the contenders in turn, so that a burst of load on a shared machine falls on all of them.

/**
 * Rounds unless told (at most half of the count): 40 gives each contender's turn at a phase 50 of
 * 2,000 commands, a second or less. With 5 rounds (400 commands, 0.2-2 s a turn) the pipelined
 * phases' p99 ratio ranged 0.79-1.72x over seven runs; with 40, in seven runs taking turns with
 * those, 0.95-1.57x. One at a time it made no clear difference (1.10-1.44x with 5, 1.06-1.76x with 40).
 */
export const DEFAULT_ROUNDS = 40;

/** The rounds for `count` commands per phase: `given`, or DEFAULT_ROUNDS but at most half of `count` (and at least 1). */
export function roundsFor(count: number, given?: number): number {
  return given ?? Math.max(1, Math.min(DEFAULT_ROUNDS, Math.floor(count / 2)));
}

/** Each round's commands per phase, in order: `count` over `rounds`, the first rounds taking what does not divide evenly. */
export function roundShares(count: number, rounds: number): number[] {
  return Array.from({ length: rounds }, (_, round) => Math.floor(count / rounds) + (round < count % rounds ? 1 : 0));
}

/** Whether the end of round `round` (0-based) of `rounds` gets a progress line: about every fifth of them, and the last. */
export function reportsRound(round: number, rounds: number): boolean {
  return (round + 1) % Math.ceil(rounds / 5) === 0 || round + 1 === rounds;
}
