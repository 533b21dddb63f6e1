// The command benchmark's unmeasured warm-up (bench/commands.ts): every phase, the commands' kind
// that changes the device's state first, then more of that kind until at least a given time has passed
// since it began. Kept apart from the benchmark's processes so that its plan can be tested.

export interface WarmUpPhase<Kind extends string, Mode extends string> {
  readonly kind: Kind;
  readonly mode: Mode;
}

export interface WarmUpPlan<Kind extends string, Mode extends string> {
  /** The phases, each warmed with `commands` commands (per contender: `run` serves them all). */
  readonly phases: readonly WarmUpPhase<Kind, Mode>[];
  readonly commands: number;
  /** Warmed first, and again `extra` at a time (in `extraMode`) until `minMs` have passed since it began. */
  readonly first: Kind;
  readonly extraMode: Mode;
  readonly extra: number;
  readonly minMs: number;
}

/** What the warm-up did: the extra commands of `first` it took to last `minMs`, and how long it took. */
export interface WarmUpDone {
  readonly extraCommands: number;
  readonly ms: number;
}

/**
 * Runs the plan through `run(kind, mode, commands)`; `now` is the clock (ms). With `commands` 0
 * it runs nothing, not even the least time.
 */
export async function warmUp<Kind extends string, Mode extends string>(
  plan: WarmUpPlan<Kind, Mode>,
  run: (kind: Kind, mode: Mode, commands: number) => Promise<void>,
  now: () => number = () => performance.now(),
): Promise<WarmUpDone> {
  const started = now();
  if (plan.commands <= 0) return { extraCommands: 0, ms: 0 };
  // The first kind's phases go first, so the least time counts from the start.
  const firsts = plan.phases.filter((p) => p.kind === plan.first);
  for (const { kind, mode } of [...firsts, ...plan.phases.filter((p) => p.kind !== plan.first)]) await run(kind, mode, plan.commands);
  let extraCommands = 0;
  if (firsts.length > 0) {
    for (; now() - started < plan.minMs; extraCommands += plan.extra) await run(plan.first, plan.extraMode, plan.extra);
  }
  return { extraCommands, ms: now() - started };
}
