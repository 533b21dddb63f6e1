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

/**
 * The device's wall clock (Unix ms) as the firmware reads and sets it. On an ESP32 it is the
 * system clock, which boots at 1970 and is set by `Time.set`. In the simulator `Time.set` does
 * nothing and the desktop's clock is right from the start; on the ESP32 profile the simulator
 * keeps an offset over the desktop's clock instead, starting at 1970, so the firmware meets the
 * unset clock the board has until SNTP answers. (The SDK's TLS reads `Date.now()` itself: in
 * the simulator its certificate dates are checked against the desktop's clock either way.)
 */
export class WallClock {
  readonly #system: () => number;
  readonly #setSystem: ((ms: number) => void) | undefined;
  #offset: number;

  /**
   * `system` reads the runtime's clock (Date.now); `setSystem` sets it (Time.set, in ms), or is
   * undefined where it cannot be set: then the offset starts at 1970 and setting moves it.
   */
  constructor(system: () => number, setSystem: ((ms: number) => void) | undefined) {
    this.#system = system;
    this.#setSystem = setSystem;
    this.#offset = setSystem ? 0 : -system();
  }

  now(): number {
    return this.#system() + this.#offset;
  }

  set(ms: number): void {
    if (this.#setSystem) this.#setSystem(ms);
    else this.#offset = ms - this.#system();
  }
}
