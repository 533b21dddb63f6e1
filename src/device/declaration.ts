// Checks `config.device` of a manifest and turns it into the DeviceDeclaration the device runs:
// name, grace time, sensors and drivers here, the opcode table in opcode-declaration.ts.

import type { DriverDeclaration, SensorDeclaration } from "../drivers/declarations.js";
import type { PinSpecifier } from "../drivers/io.js";
import { DeclarationError } from "./declaration-error.js";
import { describe, onOffLiteral, Section } from "./declaration-reader.js";
import { deepFreeze } from "./frozen.js";
import { readOpcodes } from "./opcode-declaration.js";
import type { DeviceDeclaration } from "./types.js";
import { PWM_HZ, PWM_RESOLUTION } from "../drivers/pwm-limits.js";

export { DeclarationError };

const NAME = () => /^[a-z][a-z0-9_]*$/;
const DRIVER_KINDS = ["relay", "heater", "dimmer"] as const;
type DriverKind = (typeof DRIVER_KINDS)[number];

const COMMON_KEYS = ["kind", "pin", "active", "max_on_s"];
const DRIVER_KEYS: Readonly<Record<DriverKind, readonly string[]>> = {
  relay: [...COMMON_KEYS, "safe", "interlock", "interlock_wait_ms"],
  heater: [...COMMON_KEYS, "output", "hz", "period_s", "sensor", "max_c", "cutoff_c"],
  dimmer: [...COMMON_KEYS, "hz", "safe"],
};
const ANY_DRIVER_KEY = [...new Set(Object.values(DRIVER_KEYS).flat())];

/** Which driver or sensor holds each pin: two outputs on one pin would fight. */
type PinOwners = Map<PinSpecifier, string>;

/** The checked, deep-frozen declaration; `source` (the manifest's path) starts every error message. */
export function readDeviceDeclaration(config: unknown, source: string): DeviceDeclaration {
  if (config === undefined || config === null) {
    throw new DeclarationError(source, "device", `missing: declare the device in config.device: its "name", "drivers" and "opcodes"`);
  }
  const device = new Section(source, "device", config, "the device");
  device.allow(["name", "grace_s", "sensors", "drivers", "opcodes"], "the device");
  const name = device.text("name", `the device's name, shown in help, e.g. "name": "Microwave"`);
  const graceMs = device.milliseconds("grace_s", 1000, { min: 0 }) ?? 60_000;
  const pins: PinOwners = new Map();
  const sensors = readSensors(device, pins);
  const drivers = readDrivers(device, sensors, pins);
  const opcodes = readOpcodes(device, drivers, sensors);
  return deepFreeze({ name, graceMs, drivers, sensors, opcodes });
}

function checkName(table: Section, name: string, what: string): void {
  if (NAME().test(name)) return;
  const suggestion = name.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+/, "");
  table.fail(name, `${what} names are lower-case words (a-z, 0-9, _) starting with a letter${suggestion ? `, e.g. "${suggestion}"` : ""}`);
}

/** A GPIO number or a board's pin name; a number written as text counts as the number. */
function readPin(section: Section, owner: string, pins: PinOwners): PinSpecifier {
  const value = section.get("pin");
  let pin: PinSpecifier | undefined;
  if (value === undefined) section.fail("pin", `missing: the GPIO number it is wired to (e.g. "pin": 25) or a pin name the board knows`);
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) pin = value;
  else if (typeof value === "string" && value.trim() !== "") pin = /^\d+$/.test(value.trim()) ? Number(value) : value.trim();
  else section.fail("pin", `expected a GPIO number (e.g. 25) or a pin name, got ${describe(value)}`);
  const other = pins.get(pin);
  if (other !== undefined) section.fail("pin", `pin ${pin} is already used by ${other}; every driver and sensor needs a pin of its own`);
  pins.set(pin, owner);
  return pin;
}

/** The default window of believable readings, °C: below it a probe is open, above it shorted or mis-scaled. */
const DEFAULT_PLAUSIBLE_MIN_C = -40;
const DEFAULT_PLAUSIBLE_MAX_C = 1000;

function readSensors(device: Section, pins: PinOwners): SensorDeclaration[] {
  const table = device.section("sensors", "the sensors, by name");
  if (table === undefined) return [];
  return table.keys().map((name) => {
    checkName(table, name, "sensor");
    const sensor = table.section(name, `sensor ${name}`, "");
    sensor.allow(["kind", "pin", "mv_at_0c", "mv_per_c", "vref_mv", "plausible_min_c", "plausible_max_c", "ambient_c", "heat_c_per_s", "loss_per_s"], "a temperature sensor");
    const kind = sensor.text("kind", `"temperature" (the only sensor kind)`);
    if (kind !== "temperature") sensor.fail("kind", `unknown sensor kind ${describe(kind)} (kinds: temperature)`);
    const pin = readPin(sensor, `sensor ${name}`, pins);
    const simulation = {
      ambientC: sensor.number("ambient_c") ?? 20,
      heatCPerS: sensor.number("heat_c_per_s", { min: 0 }) ?? 2,
      lossPerS: sensor.number("loss_per_s", { min: 0, max: 1 }) ?? 0.01,
    };
    // An analog sensor with a linear output (an AD8495 thermocouple amplifier by default: 1250 mV at 0 °C, 5 mV per °C).
    const analog = {
      mvAt0C: sensor.number("mv_at_0c", { min: -5000, max: 5000 }) ?? 1250,
      mvPerC: sensor.number("mv_per_c", { min: 0.1, max: 1000 }) ?? 5,
      // Unset: the ADC's own range, from the platform (an ESP32's is not 3300 mV).
      vrefMv: sensor.number("vref_mv", { min: 100, max: 5000 }),
    };
    // An open AD8495 on an ESP32 reads about -210 °C: far outside any room or oven.
    const plausible = {
      minC: sensor.number("plausible_min_c", { min: -273 }) ?? DEFAULT_PLAUSIBLE_MIN_C,
      maxC: sensor.number("plausible_max_c", { min: -273 }) ?? DEFAULT_PLAUSIBLE_MAX_C,
    };
    if (plausible.maxC <= plausible.minC) {
      sensor.fail("plausible_max_c", `${plausible.maxC} °C is not above plausible_min_c (${plausible.minC} °C): the window of believable readings must not be empty`);
    }
    return { name, kind: "temperature" as const, pin, analog, plausible, simulation };
  });
}

function readDrivers(device: Section, sensors: readonly SensorDeclaration[], pins: PinOwners): DriverDeclaration[] {
  const example = `"lamp": { "kind": "relay", "pin": 2 }`;
  const table = device.section("drivers", "the drivers, by name", `the outputs, by name, e.g. "drivers": { ${example} }`);
  const names = table.keys();
  if (names.length === 0) table.fail(undefined, `declare at least one driver, e.g. ${example}`);
  return names.map((name) => readDriver(table, name, sensors, pins));
}

function readDriver(table: Section, name: string, sensors: readonly SensorDeclaration[], pins: PinOwners): DriverDeclaration {
  checkName(table, name, "driver");
  const driver = table.section(name, `driver ${name}`, "");
  driver.allow(ANY_DRIVER_KEY, "a driver");
  const kind = driver.text("kind", `the driver kind: "relay", "heater" or "dimmer"`);
  if (!(DRIVER_KINDS as readonly string[]).includes(kind)) {
    driver.fail("kind", `unknown driver kind ${describe(kind)} (kinds: ${DRIVER_KINDS.join(", ")})`);
  }
  const known = DRIVER_KEYS[kind as DriverKind];
  driver.allow(known, `a ${kind}`);
  const common = {
    name,
    pin: readPin(driver, `driver ${name}`, pins),
    active: driver.choice("active", ["high", "low"] as const) ?? "high",
    maxOnMs: driver.milliseconds("max_on_s", 1000, { above: 0 }),
  };
  switch (kind as DriverKind) {
    case "relay": {
      const relay = readRelay(driver);
      // A safe state of "on" and a limit or an interlock that must switch the relay off contradict each other.
      if (relay.safe && relay.interlock !== undefined) driver.fail("safe", `a relay whose safe state is on cannot be in interlock group ${relay.interlock}: make its safe state "off" or remove "interlock"`);
      if (relay.safe && common.maxOnMs !== undefined) driver.fail("safe", `a relay whose safe state is on cannot have max_on_s: its safe state would exceed the limit`);
      return { ...common, kind: "relay", ...relay };
    }
    case "heater":
      return { ...common, kind: "heater", ...readHeater(driver, sensors) };
    case "dimmer": {
      const safe = readLevel(driver, "safe") ?? 0;
      if (safe > 0 && common.maxOnMs !== undefined) driver.fail("safe", `a dimmer whose safe level is above 0 cannot have max_on_s: its safe state would exceed the limit`);
      return { ...common, kind: "dimmer", hz: readHz(driver), safe };
    }
  }
}

function readHz(driver: Section): number {
  const hz = driver.number("hz", { above: 0, whole: true }) ?? 1000;
  if (hz < PWM_HZ.min || hz > PWM_HZ.max) {
    driver.fail("hz", `${hz} Hz is outside what an ESP32's PWM (LEDC) makes at ${PWM_RESOLUTION} bits: ${PWM_HZ.min} to ${PWM_HZ.max} Hz; pick a frequency in that range`);
  }
  return hz;
}

function readOnOff(driver: Section, key: string): boolean | undefined {
  const value = driver.get(key);
  if (value === undefined) return undefined;
  const on = onOffLiteral(value);
  if (on === undefined) driver.fail(key, `expected "on" or "off", got ${describe(value)}`);
  return on;
}

/** A level in %: a number 0..100, or on/off for 100/0. */
function readLevel(driver: Section, key: string): number | undefined {
  const on = onOffLiteral(driver.get(key));
  if (on !== undefined) return on ? 100 : 0;
  return driver.number(key, { min: 0, max: 100 });
}

function readRelay(relay: Section) {
  const interlock = relay.text("interlock");
  if (interlock === undefined && relay.has("interlock_wait_ms")) {
    relay.fail("interlock_wait_ms", `interlock_wait_ms needs an interlock group: add "interlock": "<group>" or remove it`);
  }
  return {
    safe: readOnOff(relay, "safe") ?? false,
    interlock,
    interlockWaitMs: relay.milliseconds("interlock_wait_ms", 1, { min: 0, whole: true }) ?? 0,
  };
}

function readHeater(heater: Section, sensors: readonly SensorDeclaration[]) {
  const output = heater.choice("output", ["pwm", "relay"] as const, `"pwm" (a PWM pin drives the heater) or "relay" (switched on and off within period_s)`);
  if (output === "relay" && heater.has("hz")) heater.fail("hz", `hz is for output "pwm"; a heater with output "relay" switches within period_s`);
  if (output === "pwm" && heater.has("period_s")) heater.fail("period_s", `period_s is for output "relay"; a heater with output "pwm" uses hz`);
  const hz = readHz(heater);
  const periodMs = heater.milliseconds("period_s", 1000, { above: 0 }) ?? 10_000;
  const sensor = heater.text("sensor");
  if (sensor === undefined) {
    for (const key of ["max_c", "cutoff_c"]) {
      if (heater.has(key)) heater.fail(key, `${key} needs a sensor (add "sensor": "<name>"): without one the heater's value is power in %`);
    }
    return { output, hz, periodMs, sensor, maxC: undefined, cutoffC: undefined };
  }
  if (!sensors.some((declared) => declared.name === sensor)) {
    const known = sensors.length ? `sensors: ${sensors.map((declared) => declared.name).join(", ")}` : "no sensors are declared: add it under device.sensors";
    heater.fail("sensor", `no sensor "${sensor}" (${known})`);
  }
  const maxC = heater.number("max_c", { above: 0 }, `the highest target temperature a command may set, °C, e.g. "max_c": 250 (required with a sensor)`);
  const cutoffC = heater.number("cutoff_c", {}, `the over-temperature cutoff, °C, above max_c, e.g. "cutoff_c": ${maxC + 50} (required with a sensor)`);
  if (cutoffC <= maxC) heater.fail("cutoff_c", `cutoff_c (${cutoffC}) must be above max_c (${maxC}): the cutoff catches a heater that overshoots its highest target`);
  return { output, hz, periodMs, sensor, maxC, cutoffC };
}
