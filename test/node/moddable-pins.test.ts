// hosts/moddable/pins.ts, the pins of a real board, on a stand-in for the ESP32's IO provider
// (globalThis.device.io): every digital output opened at its safe level (ECMA-419 initialValue,
// which the esp32 digital bank sets before the pin becomes an output), analog inputs at an
// explicit attenuation whose full scale converts the readings.

import { strict as assert } from "node:assert";
import { ADC_FULL_SCALE_MV, createPins } from "../../hosts/moddable/pins.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { FakeHost } from "../support/fake-host.js";

interface Opened {
  kind: string;
  options: Record<string, unknown>;
  writes: number[];
}

function board(analogRaw: number) {
  const opened: Opened[] = [];
  class Digital {
    static Output = 8;
    readonly record: Opened;
    constructor(options: Record<string, unknown>) {
      this.record = { kind: "digital", options, writes: [] };
      opened.push(this.record);
    }
    write(value: number) {
      this.record.writes.push(value);
    }
    close() {}
  }
  class Analog {
    readonly resolution = 12;
    constructor(options: Record<string, unknown>) {
      opened.push({ kind: "analog", options, writes: [] });
    }
    read() {
      return analogRaw;
    }
    close() {}
  }
  class PWM {
    readonly resolution = 10;
    readonly hz = 1000;
    constructor(options: Record<string, unknown>) {
      opened.push({ kind: "pwm", options, writes: [] });
    }
    write() {}
    close() {}
  }
  return { opened, device: { io: { Digital, Analog, PWM } } };
}

const DECLARATION = {
  name: "Rig",
  sensors: { cavity: { kind: "temperature", pin: 34 } },
  drivers: {
    lamp: { kind: "relay", pin: 25, active: "low" },
    pump: { kind: "relay", pin: 26, safe: "on" },
    fan: { kind: "relay", pin: 27 },
    oven: { kind: "heater", pin: 33, output: "relay", active: "low", sensor: "cavity", max_c: 250, cutoff_c: 300 },
  },
  opcodes: [{ opcode: "LAMP", task: "Lamp on", example: "LAMP", operands: [], action: { set: { lamp: "on" } } }],
};

describe("the pins of an ESP32 board (hosts/moddable/pins.ts)", () => {
  const saved = (globalThis as { device?: unknown }).device;
  afterEach(() => {
    (globalThis as { device?: unknown }).device = saved;
  });

  function open(analogRaw = 0) {
    const fake = board(analogRaw);
    (globalThis as { device?: unknown }).device = fake.device;
    const declaration = readDeviceDeclaration(DECLARATION, "test");
    const pins = createPins({ drivers: declaration.drivers, sensors: declaration.sensors, host: new FakeHost(), config: {}, log: () => {} });
    return { pins, opened: fake.opened };
  }

  it("opens each digital output at its safe level: active-low off is 1, a relay safe on is 1, active-high off is 0", () => {
    const { pins, opened } = open();
    for (const pin of [25, 26, 27, 33]) pins.digitalOutput(pin);
    const initial = Object.fromEntries(opened.map((o) => [o.options.pin, o.options.initialValue]));
    assert.deepEqual(initial, { 25: 1, 26: 1, 27: 0, 33: 1 });
  });

  it("asks the ADC for 12 dB and converts with its 2450 mV full scale: 25 °C from an AD8495 reads 25 °C", () => {
    const raw = Math.round(((1250 + 5 * 25) * 4095) / ADC_FULL_SCALE_MV);
    const { pins, opened } = open(raw);
    const input = pins.temperatureInput("cavity", 34);
    assert.deepEqual(opened[0]!.options, { pin: 34, esp32: { attenuation: 12 } });
    assert.ok(Math.abs(input.sample() - 25) < 0.5, String(input.sample()));
  });
});
