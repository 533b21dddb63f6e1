// A temperature input on hardware: an ECMA-419 analog input read through a sensor with a linear
// voltage output (a thermocouple amplifier such as the AD8495, or a TMP36-class sensor).

import type { SensorDeclaration } from "./declarations.js";
import type { TemperatureInput } from "./io.js";

/** An `embedded:io/analog`: `read()` gives 0 .. 2**resolution - 1. */
export interface AnalogInput {
  readonly resolution: number;
  read(): number;
  close(): void;
}

export class AnalogTemperatureInput implements TemperatureInput {
  readonly #input: AnalogInput;
  readonly #sensor: SensorDeclaration;
  readonly #fullScaleMv: number;

  /** `adcFullScaleMv`: the millivolts of the ADC's top reading as the platform knows it; the sensor's `vref_mv` wins when declared. */
  constructor(input: AnalogInput, sensor: SensorDeclaration, adcFullScaleMv: number) {
    this.#input = input;
    this.#sensor = sensor;
    this.#fullScaleMv = sensor.analog.vrefMv ?? adcFullScaleMv;
  }

  /**
   * °C from the reading. A reading at either end of the ADC's range is an open or shorted
   * sensor, not a temperature: it throws, and the heater driver goes safe on that.
   */
  sample(): number {
    const full = 2 ** this.#input.resolution - 1;
    const raw = this.#input.read();
    if (!(raw > 0 && raw < full)) {
      throw new Error(`sensor ${this.#sensor.name} reads ${raw} of ${full} on pin ${this.#sensor.pin}: disconnected or shorted`);
    }
    const { mvAt0C, mvPerC } = this.#sensor.analog;
    return ((raw / full) * this.#fullScaleMv - mvAt0C) / mvPerC;
  }

  close(): void {
    this.#input.close();
  }
}
