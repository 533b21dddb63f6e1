// A dimmer: a PWM level in %, on/off taken as 100/0.

import type { DimmerDeclaration } from "./declarations.js";
import type { DriverValue } from "./driver.js";
import type { PinProvider } from "./io.js";
import { PwmDutyOutput } from "./output.js";
import type { DriverServices } from "./output-driver.js";
import { OutputDriver } from "./output-driver.js";

export class Dimmer extends OutputDriver {
  readonly kind = "dimmer";
  readonly #declaration: DimmerDeclaration;
  readonly #output: PwmDutyOutput;
  #level = 0;

  constructor(declaration: DimmerDeclaration, pins: PinProvider, services: DriverServices) {
    super(declaration.name, declaration.maxOnMs, services);
    this.#declaration = declaration;
    this.#output = new PwmDutyOutput(pins.pwmOutput(declaration.pin, declaration.hz), declaration.active);
    this.begin();
  }

  check(value: DriverValue): string | undefined {
    if (typeof value === "boolean") return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
      return `${this.name} is a dimmer: it takes a level from 0 to 100 % or on/off, got ${String(value)}`;
    }
    return undefined;
  }

  /** The level in %, also after on/off. */
  protected get value(): number {
    return this.#level;
  }

  protected get energised(): boolean {
    return this.#level > 0;
  }

  protected get commandedOn(): boolean {
    return this.#level > 0;
  }

  protected describe(): string {
    return this.#level === 0 ? "off" : `${this.#level}%`;
  }

  protected apply(value: DriverValue): Promise<void> {
    this.#write(typeof value === "boolean" ? (value ? 100 : 0) : value);
    return Promise.resolve();
  }

  protected toSafe(): void {
    this.#write(this.#declaration.safe);
  }

  protected release(): void {
    this.#output.close();
  }

  #write(level: number): void {
    this.#level = level;
    this.#output.write(level / 100);
  }
}
