// What every driver offers the device layer: a typed value to set, a safe state to fall back to,
// a state to report, and trips (limits it enforced on its own) to tell the owners about.

/** The value a command sets: on/off for a relay, a level or target for the others. */
export type DriverValue = boolean | number;

export interface DriverState {
  /** The commanded value (after the last set or safe state). */
  readonly value: DriverValue;
  /** Whether the output is energised now (a heater cycling off inside its period is still "active"). */
  readonly active: boolean;
  /** One line for `status`, e.g. "on", "off", "target 180 °C, at 143.5 °C, duty 62%", "tripped: max on-time". */
  readonly text: string;
}

/** A limit a driver enforced by itself: it has already gone to its safe state when this is reported. */
export interface Trip {
  readonly driver: string;
  /** e.g. "max-on-time", "over-temperature", "sensor-failure". */
  readonly reason: string;
  readonly text: string;
}

export interface Driver {
  readonly name: string;
  readonly kind: string;
  /** Why `value` cannot be set on this driver (wrong type, out of the declared limits), or undefined. */
  check(value: DriverValue): string | undefined;
  /** Sets the output; resolves once it is applied (an interlock may wait first). Throws/rejects on a value check() refuses. */
  set(value: DriverValue): Promise<void>;
  /** Goes to the declared safe state at once (cancels any pending interlock wait). */
  safe(): void;
  readonly state: DriverState;
  /** Releases the pins after going to the safe state. */
  close(): void;
}
