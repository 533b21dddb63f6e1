// Presence status text, rate-limited: the first change goes out at once, changes within the
// interval after it are folded into one update at its end, so a busy device cannot flood the hub.
// The text is read only when it may be sent, as it was at the last change: a change folded into a
// pending update costs nothing (every PREHEAT or STOP changes outputs two or three times, and the
// device's summary is over a thousand XS meter units each time), and the update at the interval's
// end says what the last change made ("Grill, 15 min left"), not a countdown read seconds later.

import type { Host, TimerHandle } from "../host.js";

export class PresencePublisher {
  readonly #host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  readonly #intervalMs: number;
  readonly #status: (at: number) => string;
  readonly #publish: (status: string) => void;
  #sent: string | undefined;
  #sentAt = -Infinity;
  #timer: TimerHandle | undefined;
  /** When `changed()` was last called: the pending update's text is read as of then. */
  #changedAt = 0;

  /**
   * `status(at)` is the text as of host time `at` (time left counted from it); every change of
   * what it says is followed by `changed()`.
   */
  constructor(host: Pick<Host, "setTimeout" | "clearTimeout" | "now">, intervalMs: number, status: (at: number) => string, publish: (status: string) => void) {
    this.#host = host;
    this.#intervalMs = intervalMs;
    this.#status = status;
    this.#publish = publish;
  }

  /** The status text may have changed: sent now, or the latest at the end of the current interval. */
  changed(): void {
    const now = this.#host.now();
    this.#changedAt = now;
    if (this.#timer !== undefined) return;
    const status = this.#status(now);
    if (status === this.#sent) return;
    const wait = this.#sentAt + this.#intervalMs - now;
    if (wait <= 0) {
      this.#send(status);
      return;
    }
    this.#timer = this.#host.setTimeout(() => this.#flush(), wait);
  }

  /** The stream was (re)opened with `status` as initial presence: that is what the hub now has. */
  reset(status: string): void {
    this.cancel();
    this.#sent = status;
    this.#sentAt = this.#host.now();
  }

  /** Drops a pending update. */
  cancel(): void {
    if (this.#timer !== undefined) this.#host.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    this.#timer = undefined;
    const status = this.#status(this.#changedAt);
    if (status !== this.#sent) this.#send(status);
  }

  #send(status: string): void {
    this.#sent = status;
    this.#sentAt = this.#host.now();
    this.#publish(status);
  }
}
