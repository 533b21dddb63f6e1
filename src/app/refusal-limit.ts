// How often a non-owner is told it is not an owner: the first time, then at most once per
// interval. Without it two devices that are not each other's owners, or a stranger's script,
// keep each other busy with refusals; with it a flood costs one reply a minute per sender.

import type { Host } from "../host.js";

export interface RefusalLimitOptions {
  /** Shortest time between two refusals sent to one sender (default 60 s). */
  intervalMs?: number;
  /** Most senders remembered (default 32); beyond that, new senders are not answered until one is forgotten. */
  senders?: number;
}

export class RefusalLimit {
  readonly #host: Pick<Host, "now">;
  readonly #intervalMs: number;
  readonly #senders: number;
  /** Bare JID -> when it was last answered; in the order answered, so the oldest are at the front. */
  readonly #answeredAt = new Map<string, number>();

  constructor(host: Pick<Host, "now">, options: RefusalLimitOptions = {}) {
    this.#host = host;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#senders = options.senders ?? 32;
  }

  /** Whether a refusal may go to `sender` now; when it may, it is counted. */
  allow(sender: string): boolean {
    const now = this.#host.now();
    for (const [key, at] of this.#answeredAt) {
      if (now - at < this.#intervalMs) break;
      this.#answeredAt.delete(key);
    }
    if (this.#answeredAt.has(sender) || this.#answeredAt.size >= this.#senders) return false;
    this.#answeredAt.set(sender, now);
    return true;
  }
}
