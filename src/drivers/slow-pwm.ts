// Time-proportional switching (ESPHome's slow_pwm): a relay is on for duty × period at the start
// of each period, so a heater element behind a contactor can still be run at partial power.

import type { Host, TimerHandle } from "../host.js";
import type { DutyOutput, OnOffOutput } from "./output.js";

export class SlowPwm implements DutyOutput {
  readonly #switch: OnOffOutput;
  readonly #host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  readonly #periodMs: number;
  #duty = 0;
  #timer: TimerHandle | undefined;
  /** When the running period ends (a new one may start no earlier). */
  #periodEnd = -Infinity;

  constructor(output: OnOffOutput, periodMs: number, host: Pick<Host, "setTimeout" | "clearTimeout" | "now">) {
    this.#switch = output;
    this.#periodMs = periodMs;
    this.#host = host;
  }

  get duty(): number {
    return this.#duty;
  }

  /**
   * Off (0) takes effect at once: it is the safe direction. Any other duty is latched for the
   * next period while one is running, so a control loop adjusting the duty every second switches
   * the relay at most twice per period (once on, once off), as a contactor needs; with no period
   * running, a period starts now. 1 holds the relay steadily on, without toggles.
   */
  write(duty: number): void {
    this.#duty = Math.min(1, Math.max(0, duty));
    if (this.#duty === 0) {
      this.#cancel();
      this.#switch.write(false);
      // The period still runs out: a loop hovering around its target must not start a new
      // period (and switch on) every time its duty comes back from 0.
      const left = this.#periodEnd - this.#host.now();
      if (left > 0) this.#timer = this.#host.setTimeout(() => this.#newPeriod(), left);
      return;
    }
    if (this.#timer === undefined) this.#newPeriod();
  }

  /** A command, not the loop: the new duty starts a new period now (off at once for 0). */
  restart(duty: number): void {
    this.#cancel();
    this.#periodEnd = -Infinity;
    this.write(duty);
  }

  close(): void {
    this.#cancel();
    this.#periodEnd = -Infinity;
    this.#switch.close();
  }

  // Timers move from phase to phase instead of recomputing the phase from now(), so a clock
  // that is a fraction of a millisecond off at a boundary cannot make a timer fire again at once.
  #phase(on: boolean, ms: number, periodDuty: number): void {
    if (on !== this.#switch.on) this.#switch.write(on);
    this.#timer = this.#host.setTimeout(() => {
      this.#timer = undefined;
      if (on && periodDuty < 1) this.#phase(false, this.#periodMs * (1 - periodDuty), periodDuty);
      else this.#newPeriod();
    }, ms);
  }

  #newPeriod(): void {
    this.#timer = undefined;
    const duty = this.#duty;
    if (duty === 0) return;
    this.#periodEnd = this.#host.now() + this.#periodMs;
    if (duty === 1) {
      this.#switch.write(true);
      return;
    }
    this.#phase(true, duty * this.#periodMs, duty);
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#host.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
