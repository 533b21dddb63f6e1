// The one error a driver throws or rejects with; `condition` says which way the command failed.

/**
 * - "refused": the value is not one this driver takes (what check() reports).
 * - "cancelled": a set waiting on its interlock was overtaken (safe state, a newer set, or a
 *   relay of the same group switched on) before it reached the output.
 * - "tripped": the set could not be applied because a limit tripped at once (heater over its
 *   cutoff, or its sensor unreadable); the Trip was reported too.
 * - "closed": the driver was closed.
 */
export type DriverErrorCondition = "refused" | "cancelled" | "tripped" | "closed";

export class DriverError extends Error {
  // A field, not an assignment: XS freezes Error.prototype, and assigning over its name throws.
  override readonly name = "DriverError";
  readonly driver: string;
  readonly condition: DriverErrorCondition;

  constructor(driver: string, condition: DriverErrorCondition, message: string) {
    super(message);
    this.driver = driver;
    this.condition = condition;
  }
}
