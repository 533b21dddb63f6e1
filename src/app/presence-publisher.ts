// Presence status text, rate-limited: the first change goes out at once, changes within the
// interval after it are folded into one update at its end, so a busy device cannot flood the hub.

import type { Host, TimerHandle } from "../host.js";

export class PresencePublisher {
  readonly #host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  readonly #intervalMs: number;
  readonly #publish: (status: string) => void;
  #sent: string | undefined;
  #sentAt = -Infinity;
  #pending: string | undefined;
  #timer: TimerHandle | undefined;

  constructor(host: Pick<Host, "setTimeout" | "clearTimeout" | "now">, intervalMs: number, publish: (status: string) => void) {
    this.#host = host;
    this.#intervalMs = intervalMs;
    this.#publish = publish;
  }

  /** A new status text; sent now, or at the end of the current interval (only the latest). */
  update(status: string): void {
    if (this.#timer !== undefined) {
      this.#pending = status;
      return;
    }
    if (status === this.#sent) return;
    const wait = this.#sentAt + this.#intervalMs - this.#host.now();
    if (wait <= 0) {
      this.#send(status);
      return;
    }
    this.#pending = status;
    this.#timer = this.#host.setTimeout(() => this.#flush(), wait);
  }

  /** The stream was (re)opened with `status` as initial presence: that is what the hub now has. */
  reset(status: string): void {
    this.cancel();
    this.#sent = status;
    this.#sentAt = this.#host.now();
  }

  cancel(): void {
    if (this.#timer !== undefined) this.#host.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  #flush(): void {
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined && pending !== this.#sent) this.#send(pending);
  }

  #send(status: string): void {
    this.#sent = status;
    this.#sentAt = this.#host.now();
    this.#publish(status);
  }
}
