// A heater: power in % on a PWM pin or a time-proportionally switched relay, or, with a sensor,
// a target temperature held by a proportional band, with an over-temperature cutoff.

import type { TimerHandle } from "../host.js";
import type { HeaterDeclaration } from "./declarations.js";
import type { DriverValue } from "./driver.js";
import { DriverError } from "./driver-error.js";
import type { PinProvider, TemperatureInput } from "./io.js";
import type { DutyOutput } from "./output.js";
import { OnOffOutput, PwmDutyOutput } from "./output.js";
import type { DriverServices } from "./output-driver.js";
import { OutputDriver } from "./output-driver.js";
import { SlowPwm } from "./slow-pwm.js";

/**
 * Full power this many °C below the target, none at it, linear between: a plain proportional
 * band, with no integral term to wind up while the element heats a cold oven. It settles a little
 * below the target where the heat loss matches the power; for an appliance that is the safe side.
 */
export const BAND_C = 5;
/** How often the closed loop reads the sensor, checks the cutoff and sets the duty. */
export const SAMPLE_MS = 1000;

export function proportionalDuty(targetC: number, temperatureC: number): number {
  return Math.min(1, Math.max(0, (targetC - temperatureC) / BAND_C));
}

export class Heater extends OutputDriver {
  readonly kind = "heater";
  readonly #declaration: HeaterDeclaration;
  readonly #output: DutyOutput;
  readonly #sensor: TemperatureInput | undefined;
  #value = 0;
  #temperatureC: number | undefined;
  #loop: TimerHandle | undefined;

  constructor(declaration: HeaterDeclaration, pins: PinProvider, sensor: TemperatureInput | undefined, services: DriverServices) {
    super(declaration.name, declaration.maxOnMs, services);
    this.#declaration = declaration;
    this.#output =
      declaration.output === "pwm"
        ? new PwmDutyOutput(pins.pwmOutput(declaration.pin, declaration.hz), declaration.active)
        : new SlowPwm(new OnOffOutput(pins.digitalOutput(declaration.pin), declaration.active), declaration.periodMs, services.host);
    this.begin();
    this.#sensor = sensor;
    if (sensor !== undefined) this.#watch();
  }

  check(value: DriverValue): string | undefined {
    const { sensor, maxC } = this.#declaration;
    const [high, what] = sensor === undefined ? [100, "a power from 0 to 100 %"] : [maxC ?? 0, `a target from 0 (off) to ${maxC} °C`];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > high) {
      return `${this.name} is a heater: it takes ${what}, got ${String(value)}`;
    }
    return undefined;
  }

  protected get value(): number {
    return this.#value;
  }

  /** Working now: a relay output between its on-times inside a period still counts. */
  protected get energised(): boolean {
    return this.#output.duty > 0;
  }

  /** Holding a target counts for max_on_s even while the duty is 0 at the target. */
  protected get commandedOn(): boolean {
    return this.#value > 0;
  }

  protected describe(): string {
    if (this.#value === 0) return "off";
    if (this.#sensor === undefined) return `${this.#value}% power`;
    const now = this.#temperatureC === undefined ? "" : `, now ${this.#temperatureC.toFixed(1)} °C`;
    return `target ${this.#value} °C${now}, duty ${Math.round(this.#output.duty * 100)}%`;
  }

  /**
   * With a sensor a target is checked against a reading before the output is energised: a set on
   * an oven already over its cutoff, or with an unreadable sensor, trips and rejects instead of
   * heating. Off (0) is applied without a reading: it is the safe state whatever the sensor says.
   */
  protected apply(value: DriverValue): Promise<void> {
    this.#value = value as number;
    if (this.#sensor === undefined) {
      this.#output.restart(this.#value / 100);
      return Promise.resolve();
    }
    if (this.#value === 0) this.#output.restart(0);
    else if (!this.#control(true)) return Promise.reject(new DriverError(this.name, "tripped", this.tripped?.text ?? "tripped"));
    this.#watch();
    return Promise.resolve();
  }

  protected toSafe(): void {
    this.#value = 0;
    this.#output.restart(0);
  }

  protected release(): void {
    this.#stopLoop();
    this.#output.close();
    this.#sensor?.close();
  }

  /**
   * With a sensor the loop runs from the start, idle or not, until a trip: an element left on by a
   * welded relay or a stuck transistor while commanded off still trips (and is reported) at the
   * cutoff. After a trip it waits for the next set().
   */
  #watch(): void {
    this.#loop ??= this.host.setTimeout(() => {
      this.#loop = undefined;
      if (this.#control()) this.#watch();
    }, SAMPLE_MS);
  }

  /** One step of the loop (`command`: the first after a set); false when it tripped (the heater is then safe and its loop stopped). */
  #control(command = false): boolean {
    const { cutoffC, sensor: sensorName } = this.#declaration;
    let reading: number;
    try {
      reading = this.#sensor!.sample();
    } catch (error) {
      return this.#halt("sensor-failure", `sensor ${sensorName} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!Number.isFinite(reading)) return this.#halt("sensor-failure", `sensor ${sensorName} failed: it read ${String(reading)}`);
    this.#temperatureC = reading;
    if (cutoffC !== undefined && reading >= cutoffC) return this.#halt("over-temperature", `over-temperature at ${reading.toFixed(1)} °C`);
    // Idle, the output is left alone: it is already at 0, and a relay need not be rewritten every second.
    if (this.#value > 0) {
      const duty = proportionalDuty(this.#value, reading);
      if (command) this.#output.restart(duty);
      else this.#output.write(duty);
    }
    return true;
  }

  #halt(reason: string, text: string): false {
    this.#stopLoop();
    this.#temperatureC = undefined;
    this.trip(reason, text);
    return false;
  }

  #stopLoop(): void {
    if (this.#loop !== undefined) this.host.clearTimeout(this.#loop);
    this.#loop = undefined;
  }
}
