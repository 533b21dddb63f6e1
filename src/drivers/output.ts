// Pins as a driver thinks of them: on/off and duty 0..1, with the active level applied, so that
// an active-low board inverts here and nowhere else.

import type { ActiveLevel, DriverDeclaration } from "./declarations.js";
import type { DigitalOutput, PwmOutput } from "./io.js";

/** Something driven by a duty cycle 0..1: a PWM pin, or a relay switched time-proportionally. */
export interface DutyOutput {
  /** The duty last written (0..1), not the instantaneous level of a switched relay. */
  readonly duty: number;
  /** A control loop's adjustment: a switched output may apply it from its next period. */
  write(duty: number): void;
  /** A command's new duty: applied now, a switched output starting a new period. */
  restart(duty: number): void;
  close(): void;
}

export class OnOffOutput {
  readonly #pin: DigitalOutput;
  readonly #activeLow: boolean;
  #on = false;

  constructor(pin: DigitalOutput, active: ActiveLevel) {
    this.#pin = pin;
    this.#activeLow = active === "low";
  }

  get on(): boolean {
    return this.#on;
  }

  write(on: boolean): void {
    this.#pin.write(on !== this.#activeLow ? 1 : 0);
    this.#on = on;
  }

  close(): void {
    this.#pin.close();
  }
}

export class PwmDutyOutput implements DutyOutput {
  readonly #pin: PwmOutput;
  readonly #activeLow: boolean;
  #duty = 0;

  constructor(pin: PwmOutput, active: ActiveLevel) {
    this.#pin = pin;
    this.#activeLow = active === "low";
  }

  get duty(): number {
    return this.#duty;
  }

  write(duty: number): void {
    const clamped = Math.min(1, Math.max(0, duty));
    const max = 2 ** this.#pin.resolution - 1;
    this.#pin.write(Math.round((this.#activeLow ? 1 - clamped : clamped) * max));
    this.#duty = clamped;
  }

  restart(duty: number): void {
    this.write(duty);
  }

  close(): void {
    this.#pin.close();
  }
}

/**
 * The level a driver's digital pin sits at in its safe state: what a runtime opens the pin
 * with (ECMA-419 `initialValue`), so that the pin never shows the other level, not even for the
 * moment between becoming an output and the driver's first write (an active-low relay would
 * click on at every boot). A relay's safe state is its `safe`; a heater's is off.
 */
export function safePinLevel(driver: DriverDeclaration): 0 | 1 {
  const energised = driver.kind === "relay" ? driver.safe : false;
  return energised !== (driver.active === "low") ? 1 : 0;
}
