// Notices a dead link: a TCP stream whose Wi-Fi went away can look open for minutes. Anything
// the server sends proves the link alive, so a healthy link with traffic is never woken; only
// after `idleMs` of silence does the client probe it (an SM ack request or a ping), and when
// nothing at all comes back within `timeoutMs` the stream is given up. So a link that died is
// noticed at most `idleMs + timeoutMs` after the last byte heard.

import type { Host, TimerHandle } from "../host.js";

export interface LivenessOptions {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  /** Silence this long, and the link is probed. */
  idleMs: number;
  /** After a probe, silence this long, and the link is dead. */
  timeoutMs: number;
  /** When the server was last heard (host clock). */
  heardAt(): number;
  /** Sends something the server must answer (`<r/>`, a ping). */
  probe(): void;
  /** The link is dead: the caller ends the stream. */
  onDead(reason: string): void;
}

export class Liveness {
  readonly #options: LivenessOptions;
  #timer: TimerHandle | undefined;
  #probedAt: number | undefined;

  constructor(options: LivenessOptions) {
    if (!(options.idleMs > 0) || !(options.timeoutMs > 0)) throw new RangeError("liveness needs idleMs > 0 and timeoutMs > 0");
    this.#options = options;
  }

  /** Time from the last byte heard to a dead link noticed, at most. */
  get deadAfterMs(): number {
    return this.#options.idleMs + this.#options.timeoutMs;
  }

  start(): void {
    this.stop();
    this.#wait(this.#options.idleMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#options.host.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#probedAt = undefined;
  }

  #wait(ms: number): void {
    this.#timer = this.#options.host.setTimeout(() => this.#check(), Math.max(1, ms));
  }

  #check(): void {
    this.#timer = undefined;
    const { host, idleMs, timeoutMs, heardAt } = this.#options;
    const now = host.now();
    const heard = heardAt();
    if (this.#probedAt !== undefined) {
      if (heard >= this.#probedAt) {
        this.#probedAt = undefined;
      } else if (now - this.#probedAt >= timeoutMs) {
        this.#probedAt = undefined;
        this.#options.onDead(`nothing heard from the server for ${Math.round((now - heard) / 100) / 10} s, nor an answer to a probe within ${timeoutMs / 1000} s`);
        return;
      } else {
        this.#wait(this.#probedAt + timeoutMs - now);
        return;
      }
    }
    const quiet = now - heard;
    if (quiet < idleMs) {
      this.#wait(idleMs - quiet);
      return;
    }
    this.#probedAt = now;
    this.#options.probe();
    this.#wait(timeoutMs);
  }
}
