// The IO a driver is written against: ECMA-419 shapes (embedded:io/digital, embedded:io/pwm), so
// the same driver runs on an ESP32's pins, the simulator's and the desktop's simulated ones.

/** A pin as ECMA-419 names it: a GPIO number, or a name a board's provider knows. */
export type PinSpecifier = number | string;

/** An `embedded:io/digital` opened with `mode: Digital.Output`. */
export interface DigitalOutput {
  write(value: 0 | 1): void;
  close(): void;
}

/** An `embedded:io/pwm`: `write(n)` with 0 <= n <= 2**resolution - 1. */
export interface PwmOutput {
  readonly resolution: number;
  readonly hz: number;
  write(value: number): void;
  close(): void;
}

/** A temperature input in degrees Celsius (a sensor class's `sample()`, reduced to the reading). */
export interface TemperatureInput {
  /** The current temperature, °C; throws when the sensor cannot be read. */
  sample(): number;
  close(): void;
}

/**
 * What a runtime gives the drivers: pins opened by specifier. The host decides what stands
 * behind them (the board's provider on ESP32, simulated pins with a thermal model on the
 * desktop). Opening a pin must not change its level: drivers write their safe state first.
 */
export interface PinProvider {
  digitalOutput(pin: PinSpecifier): DigitalOutput;
  pwmOutput(pin: PinSpecifier, hz: number): PwmOutput;
  /** The temperature input declared under `name` in the device's `sensors`. */
  temperatureInput(name: string, pin: PinSpecifier): TemperatureInput;
}
