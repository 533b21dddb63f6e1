// The ESP32's ADC for the simulator's ESP32 profile: a sensor's voltage as the board's calibrated
// ADC reports it (never below about 140 mV, full scale about 2450 mV at the 12 dB attenuation the
// firmware asks for, 12 bits), converted to °C by the same code as on the board, so a wrong scale
// or an open sensor shows in the simulator as it would on the board.

import { AnalogTemperatureInput } from "../../src/drivers/analog-temperature.js";
import type { SensorDeclaration } from "../../src/drivers/declarations.js";
import { ADC_FULL_SCALE_MV } from "../moddable/pins.js";
import type { ThermalModel } from "./thermal.js";

export interface AdcRange {
  /** The lowest the ADC reports, mV: a floating or grounded input reads this, not 0. */
  readonly floorMv: number;
  /** The voltage of its top reading, mV. */
  readonly fullScaleMv: number;
  readonly bits: number;
}

/** modules/io/analog/esp32 at 12 dB: calibrated 2450 mV full scale; ESP-IDF gives about 150 mV as the lowest it resolves. */
export const ESP32_ADC: AdcRange = { floorMv: 140, fullScaleMv: ADC_FULL_SCALE_MV, bits: 12 };

/**
 * The °C the board would read from `model` through `adc`: the sensor's output voltage (0 V for
 * an open sensor: a model with a fault), clamped to the ADC's range, quantised, then converted
 * as hosts/moddable/pins.ts does (AnalogTemperatureInput with the ADC's full scale, or the
 * sensor's vref_mv when declared). A reading at the top of the range throws there, as on the board.
 */
export function adcReading(adc: AdcRange, sensor: SensorDeclaration, model: ThermalModel): () => number {
  const top = 2 ** adc.bits - 1;
  let raw = 0;
  const input = new AnalogTemperatureInput({ resolution: adc.bits, read: () => raw, close() {} }, sensor, adc.fullScaleMv);
  return () => {
    const mv = model.fault !== undefined ? 0 : sensor.analog.mvAt0C + sensor.analog.mvPerC * model.temperature;
    raw = Math.round((Math.min(Math.max(mv, adc.floorMv), adc.fullScaleMv) / adc.fullScaleMv) * top);
    return input.sample();
  };
}
