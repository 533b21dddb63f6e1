// A temperature sensor on an ADC pin: the linear conversion, and open or shorted sensors
// reported as failures rather than as temperatures.

import { assert } from "../../support/assert.js";
import { AnalogTemperatureInput, type AnalogInput } from "../../../src/drivers/analog-temperature.js";
import type { SensorDeclaration } from "../../../src/drivers/declarations.js";

function sensor(analog = { mvAt0C: 1250, mvPerC: 5, vrefMv: 3300 }): SensorDeclaration {
  return { name: "cavity", kind: "temperature", pin: 34, analog, simulation: { ambientC: 20, heatCPerS: 1, lossPerS: 0.01 } };
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
    const input = new AnalogTemperatureInput(adc, sensor());
    // 1250 mV + 5 mV/°C x 180 °C = 2150 mV of 3300 mV over 12 bits.
    adc.value = Math.round((2150 / 3300) * 4095);
    assert.ok(Math.abs(input.sample() - 180) < 0.5, String(input.sample()));
    adc.value = Math.round((1350 / 3300) * 4095);
    assert.ok(Math.abs(input.sample() - 20) < 0.5, String(input.sample()));
  });

  it("takes another sensor's scale from the declaration (a TMP36: 500 mV at 0 °C, 10 mV per °C)", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor({ mvAt0C: 500, mvPerC: 10, vrefMv: 3300 }));
    adc.value = Math.round((750 / 3300) * 4095);
    assert.ok(Math.abs(input.sample() - 25) < 0.5, String(input.sample()));
  });

  it("throws for a reading at either rail: an open or shorted sensor is not a temperature", () => {
    const adc = new FakeAnalog();
    const input = new AnalogTemperatureInput(adc, sensor());
    for (const value of [0, 4095]) {
      adc.value = value;
      assert.throws(() => input.sample(), /sensor cavity reads \d+ of 4095 on pin 34: disconnected or shorted/);
    }
  });

  it("closes its pin", () => {
    const adc = new FakeAnalog();
    new AnalogTemperatureInput(adc, sensor()).close();
    assert.ok(adc.closed);
  });
});
