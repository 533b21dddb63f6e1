// When to try again after the stream is lost: at once (jittered) after a healthy stream, then
// exponential backoff with jitter, and no retry for failures that only a person can fix
// (credentials, a server without TLS or the wrong CA).

import type { Host } from "../host.js";
import { NegotiationError, StreamError } from "./error.js";
import { SASLError } from "./sasl/error.js";

export interface BackoffOptions {
  /** The first delay (default 1 s). */
  initialMs?: number;
  /** The longest delay (default 60 s). */
  maxMs?: number;
}

export class Backoff {
  readonly #host: Pick<Host, "randomBytes">;
  readonly #initialMs: number;
  readonly #maxMs: number;
  #attempt = 0;
  #quickAt: number | undefined;

  constructor(host: Pick<Host, "randomBytes">, options: BackoffOptions = {}) {
    this.#host = host;
    this.#initialMs = options.initialMs ?? 1_000;
    this.#maxMs = options.maxMs ?? 60_000;
    if (!(this.#initialMs > 0) || !(this.#maxMs >= this.#initialMs)) {
      throw new RangeError("backoff needs 0 < initialMs <= maxMs");
    }
  }

  /** The delay before the next attempt: doubling up to the maximum, then between 50% and 100% of it at random. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    const random = this.#host.randomBytes(1)[0]! / 255;
    return Math.round(ceiling / 2 + (ceiling / 2) * random);
  }

  /** A connection succeeded: start again from the first delay. */
  reset(): void {
    this.#attempt = 0;
  }

  /**
   * The delay before reconnecting after a stream that was online was lost (a router reboot, a
   * roam): at most QUICK_JITTER_MS, at random so a room of devices does not reconnect in step,
   * the first time; the usual backoff when the last quick reconnect was less than
   * QUICK_INTERVAL_MS ago (a server that drops the device after each login), so it grows only
   * on repeated failures.
   */
  afterLoss(now: number): number {
    if (this.#quickAt !== undefined && now - this.#quickAt < QUICK_INTERVAL_MS) return this.next();
    this.#quickAt = now;
    return Math.round((this.#host.randomBytes(1)[0]! / 255) * QUICK_JITTER_MS);
  }
}

/** The first reconnect after a healthy stream waits at most this long. */
export const QUICK_JITTER_MS = 300;
/** At most one quick reconnect in this long. */
export const QUICK_INTERVAL_MS = 60_000;

/** Stream errors that say the configuration points at the wrong server or domain, with what to change. */
const MISADDRESSED: Readonly<Record<string, string>> = {
  "host-unknown": "the server does not serve this domain: check the domain of the jid key, and that server= names the hub of that domain",
  "host-gone": "the server no longer serves this domain: check the jid key's domain and the server key",
  "improper-addressing": "the server could not tell which domain the stream is for: check the domain of the jid key",
};

/** What to change for a stream error no retry can fix; undefined for any other error. */
export function misaddressed(error: unknown): string | undefined {
  return error instanceof StreamError ? MISADDRESSED[error.condition] : undefined;
}

/**
 * Failures a retry cannot fix: wrong credentials, no STARTTLS, a certificate the CA does not
 * vouch for (the host said CertificateError), a server that does not serve the JID's domain.
 * A cut or a silent server at any step (TLS handshake included) is transient.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof SASLError) return error.condition !== "temporary-auth-failure" && error.condition !== "aborted";
  return error instanceof NegotiationError || misaddressed(error) !== undefined;
}
