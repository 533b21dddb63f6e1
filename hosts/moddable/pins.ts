// Pins on a real board: ECMA-419 Digital, PWM and Analog from the board's IO provider
// (`globalThis.device.io` on ESP32), opened by GPIO number or by a name from the board's pin map
// (`config.pins`, set in the board manifest's platform config, then the provider's `device.pin`).

import { AnalogTemperatureInput } from "../../src/drivers/analog-temperature.js";
import type { DigitalOutput, PinProvider, PinSpecifier, PwmOutput, TemperatureInput } from "../../src/drivers/io.js";
import { safePinLevel } from "../../src/drivers/output.js";
import { PWM_RESOLUTION } from "../../src/drivers/pwm-limits.js";
import type { PlatformPinsOptions } from "./platform.js";
import type { BoardPinMap } from "../../src/device/board-pins.js";

/**
 * The ADC attenuation asked for every analog input, and the calibrated full scale it gives: the
 * SDK's table (modules/io/analog/esp32/_analog.c, kAttenuationTable: 0 dB 950 mV, 2.5 dB 1250,
 * 6 dB 1750, 12 dB 2450; readings never go below about 150 mV). Asked explicitly, so the scale
 * the readings are converted with is the one the ADC uses.
 */
export const ADC_ATTENUATION_DB = 12;
export const ADC_FULL_SCALE_MV = 2450;

interface BoardIo {
  io: {
    Digital: new (options: { pin: number; mode: number; initialValue?: number }) => { write(value: number): void; read(): number; close(): void };
    PWM: new (options: { pin: number; hz: number; resolution?: number }) => PwmOutput;
    Analog: new (options: { pin: number; resolution?: number; esp32?: { attenuation: number } }) => { resolution: number; read(): number; close(): void };
  };
  pin?: Record<string, number>;
}

/** The board's pin names: the IO provider's (`device.pin`) under the board manifest's `config.pins`. */
export function pinNames(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const board = (globalThis as unknown as { device?: BoardIo }).device;
  return { ...(board?.pin ?? {}), ...(config.pins as Record<string, unknown> | undefined ?? {}) };
}

/** The pin map a declaration sent to the device is checked against: the names that map to a GPIO number. */
export function pinMap(config: Readonly<Record<string, unknown>>): BoardPinMap {
  const map: Record<string, number> = {};
  for (const [name, gpio] of Object.entries(pinNames(config))) if (typeof gpio === "number") map[name] = gpio;
  return map;
}

/**
 * The set-up button: `provision_pin` (a name of the board's pin map or a GPIO number) held to
 * ground at power-up, read once with the pull-up on (the BOOT button of DevKitC boards is GPIO 0,
 * active low). Without the key there is no button.
 */
export function setUpButtonHeld(config: Readonly<Record<string, unknown>>, log: (event: string, detail: string) => void): boolean {
  const given = config.provision_pin;
  if (given === undefined || given === "") return false;
  const board = (globalThis as unknown as { device?: BoardIo }).device;
  const gpio = typeof given === "number" ? given : /^\d+$/.test(String(given)) ? Number(given) : pinNames(config)[String(given)];
  if (!board?.io || typeof gpio !== "number") {
    log("set-up", `provision_pin "${String(given)}" is not a pin of this board: no set-up button; fix the board manifest`);
    return false;
  }
  const Digital = board.io.Digital as unknown as { InputPullUp: number } & BoardIo["io"]["Digital"];
  const button = new Digital({ pin: gpio, mode: Digital.InputPullUp });
  try {
    return button.read() === 0;
  } finally {
    button.close();
  }
}

export function createPins(options: PlatformPinsOptions): PinProvider & { close(): void } {
  const board = (globalThis as unknown as { device?: BoardIo }).device;
  if (!board?.io) throw new Error("this build has no IO provider (globalThis.device): build for an ESP32 board, e.g. -p esp32/nodemcu");
  const names = pinNames(options.config);
  const open: { close(): void }[] = [];
  const gpio = (pin: PinSpecifier): number => {
    if (typeof pin === "number") return pin;
    const mapped = names[pin];
    if (typeof mapped === "number") return mapped;
    const known = Object.keys(names).join(", ") || "none";
    throw new Error(`pin "${pin}" is not in this board's pin map (config.pins: ${known}); use a GPIO number or add the name to the board manifest`);
  };
  const track = <T extends { close(): void }>(io: T): T => {
    open.push(io);
    return io;
  };
  const { Digital, PWM, Analog } = board.io;
  return {
    digitalOutput(pin: PinSpecifier): DigitalOutput {
      // The esp32 digital bank sets initialValue before it makes the pin an output: no pulse at boot.
      const driver = options.drivers.find((declared) => String(declared.pin) === String(pin));
      const initialValue = driver ? safePinLevel(driver) : 0;
      const output = track(new Digital({ pin: gpio(pin), mode: (Digital as unknown as { Output: number }).Output, initialValue }));
      return { write: (value) => output.write(value), close: () => output.close() };
    },
    pwmOutput(pin: PinSpecifier, hz: number): PwmOutput {
      return track(new PWM({ pin: gpio(pin), hz, resolution: PWM_RESOLUTION }));
    },
    temperatureInput(name: string, pin: PinSpecifier): TemperatureInput {
      const sensor = options.sensors.find((s) => s.name === name);
      if (!sensor) throw new Error(`no sensor named ${name}`);
      return track(new AnalogTemperatureInput(new Analog({ pin: gpio(pin), esp32: { attenuation: ADC_ATTENUATION_DB } }), sensor, ADC_FULL_SCALE_MV));
    },
    close() {
      for (const io of open.splice(0)) {
        try {
          io.close();
        } catch {
          // closed already
        }
      }
    },
  };
}
