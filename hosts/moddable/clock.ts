// A monotonic millisecond clock over the SDK's `Time.ticks`, which on ESP32 is a signed 32-bit
// count: it goes negative after 2^31 ms (24.8 days) and wraps every 49.7 days, so differences
// across the wrap ("time left", timers, backoff) would come out wrong by 2^32 ms.

const WRAP = 2 ** 32;
const HALF = 2 ** 31;

export class TickClock {
  readonly #ticks: () => number;
  #last: number;
  #base = 0;

  /** `ticks` reads the raw counter (Time.ticks). It must be read at least once every 24.8 days (any timer or event does). */
  constructor(ticks: () => number) {
    this.#ticks = ticks;
    this.#last = ticks();
  }

  /** Milliseconds since an arbitrary origin, never decreasing across the counter's wrap. */
  now(): number {
    const raw = this.#ticks();
    // A step back by more than half the range is the 32-bit counter wrapping, not time going back.
    if (raw < this.#last && this.#last - raw > HALF) this.#base += WRAP;
    this.#last = raw;
    return this.#base + raw;
  }
}
