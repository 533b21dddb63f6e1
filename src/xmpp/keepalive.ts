// Notices a dead connection: a TCP stream whose Wi-Fi went away can look open for many minutes,
// so while online the client pings its server (XEP-0199) and gives the stream up when a ping
// goes unanswered. Any answer, even an error (a server without ping), proves the link alive.

import type { Host, TimerHandle } from "../host.js";
import { TimeoutError } from "./error.js";

export interface KeepaliveOptions {
  host: Pick<Host, "setTimeout" | "clearTimeout">;
  /** Time between pings (default 60 s). */
  intervalMs?: number;
  /** Sends a ping; resolves or rejects with the answer, rejects with a TimeoutError when none came. */
  ping(): Promise<unknown>;
  /** The link is dead: the caller ends the stream. */
  onDead(reason: string): void;
}

export class Keepalive {
  readonly #options: KeepaliveOptions;
  readonly #intervalMs: number;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(options: KeepaliveOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 60_000;
    if (!(this.#intervalMs > 0)) throw new RangeError("the keepalive interval must be above 0 ms");
  }

  start(): void {
    this.stop();
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.host.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#options.host.setTimeout(() => {
      this.#timer = undefined;
      this.#options.ping().then(
        () => this.#next(),
        (error: unknown) => {
          if (!this.#running) return;
          if (error instanceof TimeoutError) {
            this.#running = false;
            this.#options.onDead(`the server did not answer a ping: ${error.text}`);
          } else this.#next();
        },
      );
    }, this.#intervalMs);
  }

  #next(): void {
    if (this.#running) this.#schedule();
  }
}
