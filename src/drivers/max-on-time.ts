// The max_on_s limit: how long an output may stay on without a break, whatever commands say.

import type { Host, TimerHandle } from "../host.js";

export class MaxOnTime {
  readonly limitMs: number;
  readonly #host: Pick<Host, "setTimeout" | "clearTimeout">;
  readonly #onExpired: () => void;
  #timer: TimerHandle | undefined;

  constructor(limitMs: number, host: Pick<Host, "setTimeout" | "clearTimeout">, onExpired: () => void) {
    this.limitMs = limitMs;
    this.#host = host;
    this.#onExpired = onExpired;
  }

  /**
   * Told the output's state after every change. Only a break (off) restarts the count: an owner
   * re-sending "on" to a relay that is on must not keep it on past the limit.
   */
  track(on: boolean): void {
    if (on && this.#timer === undefined) {
      this.#timer = this.#host.setTimeout(() => {
        this.#timer = undefined;
        this.#onExpired();
      }, this.limitMs);
    } else if (!on && this.#timer !== undefined) {
      this.#host.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** "90 s", "45 min", "2 h", "1 h 30 min": how long the limit was, for people. */
export function describeDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60 || s % 60 !== 0) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  const min = s / 60;
  if (min < 60) return `${min} min`;
  return min % 60 === 0 ? `${min / 60} h` : `${Math.floor(min / 60)} h ${min % 60} min`;
}
