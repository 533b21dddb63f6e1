// The checked, typed form of the driver and sensor declarations in `config.device` (the device
// layer validates the manifest into these; drivers are built from them).

import type { PinSpecifier } from "./io.js";

export type ActiveLevel = "high" | "low";

interface Common {
  readonly name: string;
  readonly pin: PinSpecifier;
  readonly active: ActiveLevel;
  /** Longest time the output may stay commanded on, ms; undefined: no limit. */
  readonly maxOnMs: number | undefined;
}

export interface RelayDeclaration extends Common {
  readonly kind: "relay";
  readonly safe: boolean;
  readonly interlock: string | undefined;
  readonly interlockWaitMs: number;
}

export interface HeaterDeclaration extends Common {
  readonly kind: "heater";
  readonly output: "pwm" | "relay";
  /** PWM frequency (output "pwm"). */
  readonly hz: number;
  /** Time-proportional switching period, ms (output "relay"). */
  readonly periodMs: number;
  /** With a sensor the value is a target in °C (closed loop); without, power in %. */
  readonly sensor: string | undefined;
  /** Highest settable target, °C (with a sensor). */
  readonly maxC: number | undefined;
  /** Over-temperature cutoff, °C (with a sensor). */
  readonly cutoffC: number | undefined;
}

export interface DimmerDeclaration extends Common {
  readonly kind: "dimmer";
  readonly hz: number;
  /** Safe level, %. */
  readonly safe: number;
}

export type DriverDeclaration = RelayDeclaration | HeaterDeclaration | DimmerDeclaration;

export interface SensorDeclaration {
  readonly name: string;
  readonly kind: "temperature";
  readonly pin: PinSpecifier;
  /**
   * How an analog reading becomes °C on hardware: millivolts at 0 °C, millivolts per °C, and the
   * ADC's full-scale millivolts when declared (`vref_mv`); undefined: the board's ADC range as its
   * platform knows it (on ESP32 about 2450 mV at the attenuation the firmware asks for, not 3300).
   */
  readonly analog: { readonly mvAt0C: number; readonly mvPerC: number; readonly vrefMv: number | undefined };
  /** Readings outside this window are a failed sensor (open, shorted, wrong scale), not a temperature. */
  readonly plausible: { readonly minC: number; readonly maxC: number };
  /** Hints for the desktop's thermal model; ignored on hardware. */
  readonly simulation: { readonly ambientC: number; readonly heatCPerS: number; readonly lossPerS: number };
}
