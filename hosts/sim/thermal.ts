// The desktop's stand-in for a temperature sensor: a first-order thermal model heated by the
// heaters that name the sensor, read through a simulated TemperatureInput.

import type { SensorDeclaration } from "../../src/drivers/declarations.js";
import type { TemperatureInput } from "../../src/drivers/io.js";

/** A reading is logged when it has moved this far since the last logged one... */
export const SENSOR_LOG_STEP_C = 1;
/** ...and at most this often, so a heating cavity shows up every few lines, not every second. */
export const SENSOR_LOG_INTERVAL_MS = 10_000;

/**
 * dT/dt = heatCPerS * power - lossPerS * (T - ambientC), power being the sum of the heaters'
 * energised share (0..1 each). Power only changes when a pin is written, so the model is
 * advanced lazily, exactly, over each interval of constant power: the pins call `setPower` at
 * every change and a relay's on and off times average out as they would in the oven.
 */
export class ThermalModel {
  readonly sensor: string;
  readonly ambientC: number;
  readonly heatCPerS: number;
  readonly lossPerS: number;
  /** A simulated fault: while set, the sensor's `sample()` throws with this reason. */
  fault: string | undefined = undefined;
  readonly #now: () => number;
  readonly #power = new Map<string, number>();
  #temperature: number;
  #at: number;

  constructor(declaration: SensorDeclaration, now: () => number) {
    this.sensor = declaration.name;
    this.ambientC = declaration.simulation.ambientC;
    this.heatCPerS = declaration.simulation.heatCPerS;
    this.lossPerS = declaration.simulation.lossPerS;
    this.#now = now;
    this.#temperature = this.ambientC;
    this.#at = now();
  }

  /** The temperature now, °C, unrounded. */
  get temperature(): number {
    this.#advance();
    return this.#temperature;
  }

  /** Puts the model at `celsius` now (tests: an over-temperature without waiting for it). */
  setTemperature(celsius: number): void {
    this.#advance();
    this.#temperature = celsius;
  }

  /** The total heating power now, 0..(number of heaters). */
  get power(): number {
    let total = 0;
    for (const share of this.#power.values()) total += share;
    return total;
  }

  /** Sets what `heater` puts in from now on: its energised share, 0..1. */
  setPower(heater: string, power: number): void {
    if (!(power >= 0 && power <= 1)) throw new RangeError(`heater ${heater}: power must be between 0 and 1, got ${power}`);
    this.#advance();
    this.#power.set(heater, power);
  }

  #advance(): void {
    const now = this.#now();
    const seconds = (now - this.#at) / 1000;
    this.#at = now;
    if (seconds <= 0) return;
    const heating = this.heatCPerS * this.power;
    if (this.lossPerS > 0) {
      const steady = this.ambientC + heating / this.lossPerS;
      this.#temperature = steady + (this.#temperature - steady) * Math.exp(-this.lossPerS * seconds);
    } else {
      this.#temperature += heating * seconds;
    }
  }
}

/** The sensor as a driver sees it: `sample()` reads the model, rounded to 0.1 °C like a real probe. */
export class SimulatedTemperatureInput implements TemperatureInput {
  readonly #model: ThermalModel;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #onClose: () => void;
  #closed = false;
  #loggedC: number | undefined = undefined;
  #loggedAt = 0;

  readonly #read: (() => number) | undefined;

  /** `read`, when given, is how the firmware gets °C from the model (through an ADC: ./adc.ts), a fault included. */
  constructor(model: ThermalModel, options: { now(): number; log(line: string): void; onClose(): void; read?: () => number }) {
    this.#model = model;
    this.#read = options.read;
    this.#now = options.now;
    this.#log = options.log;
    this.#onClose = options.onClose;
  }

  sample(): number {
    const name = this.#model.sensor;
    if (this.#closed) throw new Error(`sensor ${name} is closed: open it again before sampling`);
    if (this.#model.fault !== undefined && !this.#read) throw new Error(`sensor ${name}: ${this.#model.fault}`);
    const celsius = Math.round((this.#read ? this.#read() : this.#model.temperature) * 10) / 10;
    const now = this.#now();
    const first = this.#loggedC === undefined;
    if (first || (now - this.#loggedAt >= SENSOR_LOG_INTERVAL_MS && Math.abs(celsius - this.#loggedC!) >= SENSOR_LOG_STEP_C)) {
      this.#log(`sensor ${name} ${celsius.toFixed(1)} °C`);
      this.#loggedC = celsius;
      this.#loggedAt = now;
    }
    return celsius;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
  }
}
