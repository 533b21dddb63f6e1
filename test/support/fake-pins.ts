// Pins for driver tests, on Node and on XS: every open, write and close logged with the clock's
// time, and temperature inputs the test sets (or breaks) by hand.

import type { DigitalOutput, PinProvider, PinSpecifier, PwmOutput, TemperatureInput } from "../../src/drivers/io.js";

export interface PinEvent {
  readonly pin: PinSpecifier;
  readonly action: "open" | "write" | "close";
  /** The raw value written (0/1 digital, 0..2**resolution - 1 PWM); undefined for open/close. */
  readonly value: number | undefined;
  readonly at: number;
}

export class FakeTemperature implements TemperatureInput {
  celsius: number;
  /** Thrown by sample() while set. */
  failure: Error | undefined;
  samples = 0;
  closed = false;

  constructor(celsius = 20) {
    this.celsius = celsius;
  }

  sample(): number {
    if (this.closed) throw new Error("sample() on a closed temperature input");
    if (this.failure) throw this.failure;
    this.samples += 1;
    return this.celsius;
  }

  close(): void {
    this.closed = true;
  }
}

export interface FakePinsOptions {
  /** PWM resolution in bits (default 10). */
  resolution?: number;
}

export class FakePins implements PinProvider {
  /** Everything that happened to every pin, in order. */
  readonly log: PinEvent[] = [];
  readonly #clock: { now(): number };
  readonly #resolution: number;
  readonly #temperatures = new Map<string, FakeTemperature>();
  readonly #open = new Set<PinSpecifier>();
  readonly #hz = new Map<PinSpecifier, number>();

  constructor(clock: { now(): number }, options: FakePinsOptions = {}) {
    this.#clock = clock;
    this.#resolution = options.resolution ?? 10;
  }

  /** The highest raw PWM value. */
  get pwmMax(): number {
    return 2 ** this.#resolution - 1;
  }

  digitalOutput(pin: PinSpecifier): DigitalOutput {
    this.#claim(pin);
    return {
      write: (value: 0 | 1) => this.#record(pin, "write", value),
      close: () => this.#release(pin),
    };
  }

  pwmOutput(pin: PinSpecifier, hz: number): PwmOutput {
    this.#claim(pin);
    this.#hz.set(pin, hz);
    const pins = this;
    return {
      resolution: this.#resolution,
      hz,
      write(value: number) {
        if (!Number.isInteger(value) || value < 0 || value > pins.pwmMax) throw new RangeError(`pin ${pin}: PWM value ${value} out of range`);
        pins.#record(pin, "write", value);
      },
      close: () => this.#release(pin),
    };
  }

  temperatureInput(name: string, pin: PinSpecifier): TemperatureInput {
    this.#claim(pin);
    const input = this.temperature(name);
    input.closed = false;
    return {
      sample: () => input.sample(),
      close: () => {
        input.close();
        this.#release(pin);
      },
    };
  }

  /** The input the named sensor reads: set `celsius` or `failure` on it. */
  temperature(name: string): FakeTemperature {
    let input = this.#temperatures.get(name);
    if (!input) this.#temperatures.set(name, (input = new FakeTemperature()));
    return input;
  }

  /** The last value written to `pin`, or undefined if none was. */
  level(pin: PinSpecifier): number | undefined {
    return this.writes(pin).at(-1);
  }

  /** Every value written to `pin`, in order. */
  writes(pin: PinSpecifier): number[] {
    return this.log.filter((e) => e.pin === pin && e.action === "write").map((e) => e.value!);
  }

  /** Level changes of `pin` as [time, value], repeated writes of the same value folded. */
  changes(pin: PinSpecifier): [number, number][] {
    const changes: [number, number][] = [];
    for (const e of this.log) {
      if (e.pin !== pin || e.action !== "write") continue;
      if (changes.at(-1)?.[1] !== e.value) changes.push([e.at, e.value!]);
    }
    return changes;
  }

  isOpen(pin: PinSpecifier): boolean {
    return this.#open.has(pin);
  }

  hz(pin: PinSpecifier): number | undefined {
    return this.#hz.get(pin);
  }

  #claim(pin: PinSpecifier): void {
    if (this.#open.has(pin)) throw new Error(`pin ${pin} is already open`);
    this.#open.add(pin);
    this.#record(pin, "open", undefined);
  }

  #release(pin: PinSpecifier): void {
    if (!this.#open.has(pin)) throw new Error(`pin ${pin} closed twice`);
    this.#open.delete(pin);
    this.#record(pin, "close", undefined);
  }

  #record(pin: PinSpecifier, action: PinEvent["action"], value: number | undefined): void {
    if (action === "write" && !this.#open.has(pin)) throw new Error(`write to pin ${pin}, which is not open`);
    this.log.push({ pin, action, value, at: this.#clock.now() });
  }
}
