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
    const { mvAt0C, mvPerC } = this.#sensor.analog;
    if (!(raw > 0 && raw < full)) {
      const where = `sensor ${this.#sensor.name} reads ${raw} of ${full} on pin ${this.#sensor.pin}`;
      // The top of the range is also what a sensor hotter than the scale can show gives (an AD8495
      // at 5 mV/°C reaches an ESP32's 2450 mV at 240 °C): say where that is.
      if (raw >= full) {
        const topC = Math.round((this.#fullScaleMv - mvAt0C) / mvPerC);
        throw new Error(
          `${where}: at the top of the ADC's range, above ${topC} °C with this scale (mv_at_0c ${mvAt0C}, mv_per_c ${mvPerC}, ${this.#fullScaleMv} mV full scale): ` +
            `hotter than this wiring can read, or shorted to the supply`,
        );
      }
      throw new Error(`${where}: disconnected or shorted`);
    }
    return ((raw / full) * this.#fullScaleMv - mvAt0C) / mvPerC;
  }

  close(): void {
    this.#input.close();
  }
}
