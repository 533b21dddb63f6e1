// What relay, heater and dimmer share: checking before setting, trips that go safe first and
// are reported, the max-on limit, change notices, and a close that can be called twice.

import type { Host } from "../host.js";
import type { Driver, DriverState, DriverValue, Trip } from "./driver.js";
import { DriverError } from "./driver-error.js";
import { describeDuration, MaxOnTime } from "./max-on-time.js";

/** What a driver needs from createDrivers' context. */
export interface DriverServices {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  onTrip(trip: Trip): void;
  onChange?(driver: Driver): void;
}

export abstract class OutputDriver implements Driver {
  abstract readonly kind: string;
  readonly name: string;
  protected readonly host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  readonly #services: DriverServices;
  readonly #maxOn: MaxOnTime | undefined;
  #trip: Trip | undefined;
  #closed = false;
  // What onChange last reported: the commanded value and the trip, not levels that move on their own.
  #reported = "";

  constructor(name: string, maxOnMs: number | undefined, services: DriverServices) {
    this.name = name;
    this.host = services.host;
    this.#services = services;
    if (maxOnMs !== undefined) {
      this.#maxOn = new MaxOnTime(maxOnMs, services.host, () =>
        this.trip("max-on-time", `max on-time of ${describeDuration(maxOnMs)} reached`),
      );
    }
  }

  abstract check(value: DriverValue): string | undefined;
  /** Applies a value check() accepted; resolves once it is on the pins. */
  protected abstract apply(value: DriverValue): Promise<void>;
  /** Writes the safe state and stops this driver's own timers and waits. */
  protected abstract toSafe(): void;
  /** Closes the pins (after toSafe). */
  protected abstract release(): void;
  protected abstract get value(): DriverValue;
  /** Energised now (DriverState.active). */
  protected abstract get energised(): boolean;
  /** What max_on_s counts: commanded on (a heater holding a target counts even at duty 0). */
  protected abstract get commandedOn(): boolean;
  /** The status line when not tripped. */
  protected abstract describe(): string;

  get state(): DriverState {
    const text = this.#trip ? `${this.describe()} (tripped: ${this.#trip.text})` : this.describe();
    return { value: this.value, active: this.energised, text };
  }

  /** The trip not yet cleared by a set(), if any. */
  get tripped(): Trip | undefined {
    return this.#trip;
  }

  set(value: DriverValue): Promise<void> {
    if (this.#closed) return Promise.reject(new DriverError(this.name, "closed", `${this.name} is closed`));
    const refusal = this.check(value);
    if (refusal !== undefined) return Promise.reject(new DriverError(this.name, "refused", refusal));
    this.#trip = undefined;
    try {
      return this.apply(value);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      this.changed();
    }
  }

  /** Safe state now. A trip stays shown until the next set(): going safe does not explain it away. */
  safe(): void {
    if (this.#closed) return;
    this.toSafe();
    this.changed();
  }

  close(): void {
    if (this.#closed) return;
    this.safe();
    this.#closed = true;
    this.release();
  }

  /** Each constructor calls this as soon as its pins are open: the safe state, with no change notice. */
  protected begin(): void {
    this.toSafe();
    this.#reported = this.#report();
  }

  /** Subclasses call this after anything that may change the commanded value or energise the output. */
  protected changed(): void {
    this.#maxOn?.track(this.commandedOn);
    const reported = this.#report();
    if (reported === this.#reported) return;
    this.#reported = reported;
    this.#services.onChange?.(this);
  }

  #report(): string {
    return `${String(this.value)}|${this.#trip?.reason ?? ""}`;
  }

  /** Goes safe, then tells: a Trip is only ever reported for an output that is already safe. */
  protected trip(reason: string, text: string): Trip {
    this.toSafe();
    const trip: Trip = { driver: this.name, reason, text };
    this.#trip = trip;
    try {
      this.#services.onTrip(trip);
    } finally {
      this.changed();
    }
    return trip;
  }
}
