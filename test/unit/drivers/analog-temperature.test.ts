// A temperature sensor on an ADC pin: the linear conversion, and open or shorted sensors
// reported as failures rather than as temperatures.

import { assert } from "../../support/assert.js";
import { AnalogTemperatureInput, type AnalogInput } from "../../../src/drivers/analog-temperature.js";
import type { SensorDeclaration } from "../../../src/drivers/declarations.js";

function sensor(analog: SensorDeclaration["analog"] = { mvAt0C: 1250, mvPerC: 5, vrefMv: 3300 }): SensorDeclaration {
  return { name: "cavity", kind: "temperature", pin: 34, analog, plausible: { minC: -40, maxC: 1000 }, simulation: { ambientC: 20, heatCPerS: 1, lossPerS: 0.01 } };
}

/** What an ESP32's calibrated ADC reports for `mv` at 12 dB (modules/io/analog/esp32: 150..2450 mV over 12 bits). */
function esp32Reading(mv: number): number {
  return Math.round((Math.min(2450, Math.max(150, mv)) * 4095) / 2450);
}

class FakeAnalog implements AnalogInput {
  readonly resolution = 12;
  value = 0;
  closed = false;
  read(): number {
    return this.value;
  }
  close(): void {
    this.closed = true;
  }
}

describe("analog temperature input", () => {
  it("turns a reading into °C through the sensor's millivolts (AD8495 by default)", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor(), 2450);
    // 1250 mV + 5 mV/°C x 180 °C = 2150 mV of 3300 mV over 12 bits.
    adc.value = Math.round((2150 / 3300) * 4095);
    assert.ok(Math.abs(input.sample() - 180) < 0.5, String(input.sample()));
    adc.value = Math.round((1350 / 3300) * 4095);
    assert.ok(Math.abs(input.sample() - 20) < 0.5, String(input.sample()));
  });

  it("takes another sensor's scale from the declaration (a TMP36: 500 mV at 0 °C, 10 mV per °C)", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor({ mvAt0C: 500, mvPerC: 10, vrefMv: 3300 }), 2450);
    adc.value = Math.round((750 / 3300) * 4095);
    assert.ok(Math.abs(input.sample() - 25) < 0.5, String(input.sample()));
  });

  it("throws for a reading at either rail: an open or shorted sensor is not a temperature", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor(), 2450);
    adc.value = 0;
    assert.throws(() => input.sample(), /sensor cavity reads 0 of 4095 on pin 34: disconnected or shorted/);
    adc.value = 4095;
    assert.throws(() => input.sample(), /sensor cavity reads 4095 of 4095 on pin 34: at the top of the ADC's range, above 410 °C with this scale \(mv_at_0c 1250, mv_per_c 5, 3300 mV full scale\): hotter than this wiring can read, or shorted to the supply/);
  });

  it("says at which temperature the top of the range lies: an AD8495 on an ESP32's 2450 mV reads at most 240 °C", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor({ mvAt0C: 1250, mvPerC: 5, vrefMv: undefined }), 2450);
    adc.value = esp32Reading(3000); // 350 °C
    assert.throws(() => input.sample(), /reads 4095 of 4095 on pin 34: at the top of the ADC's range, above 240 °C with this scale \(mv_at_0c 1250, mv_per_c 5, 2450 mV full scale\)/);
  });

  it("closes its pin", () => {
    const adc = new FakeAnalog();
    new AnalogTemperatureInput(adc, sensor(), 2450).close();
    assert.ok(adc.closed);
  });

  it("without vref_mv, converts with the ADC's own full scale: 25 °C from an AD8495 on an ESP32 reads 25 °C, not 120", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor({ mvAt0C: 1250, mvPerC: 5, vrefMv: undefined }), 2450);
    adc.value = esp32Reading(1250 + 5 * 25);
    assert.ok(Math.abs(input.sample() - 25) < 0.5, String(input.sample()));
  });

  it("an open AD8495 on an ESP32 (the ADC's floor, about 150 mV) reads about -220 °C: a value the plausible window refuses", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor({ mvAt0C: 1250, mvPerC: 5, vrefMv: undefined }), 2450);
    adc.value = esp32Reading(0);
    assert.ok(input.sample() < -200, String(input.sample()));
  });
});
