// Simulated pins for the desktop: ECMA-419-shaped outputs that log each change of level under the
// driver that owns the pin, drive the thermal models, and keep a history for tests.

import type { DriverDeclaration, SensorDeclaration } from "../../src/drivers/declarations.js";
import type { DigitalOutput, PinProvider, PinSpecifier, PwmOutput, TemperatureInput } from "../../src/drivers/io.js";
import type { Host } from "../../src/host.js";
import { adcReading, type AdcRange } from "./adc.js";
import { SimulatedTemperatureInput, ThermalModel } from "./thermal.js";

/** Bits of the simulated PWM, as on an ESP32's LEDC at the frequencies drivers use. */
export { PWM_RESOLUTION } from "../../src/drivers/pwm-limits.js";
import { PWM_RESOLUTION } from "../../src/drivers/pwm-limits.js";
/** How many changes `writes` keeps. */
export const WRITE_HISTORY = 1000;
/** A switching heater's pin logs at most one line per this period (see `SimulatedPinsOptions.summaryMs`). */
export const HEATER_SUMMARY_MS = 30_000;
/** How many changes of a heater's pin within HEATER_SUMMARY_MS are logged one by one. */
export const IMMEDIATE_LINES = 3;

export interface SimulatedPinsOptions {
  drivers: readonly DriverDeclaration[];
  sensors: readonly SensorDeclaration[];
  host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  log(line: string): void;
  /**
   * A heater's pin changes all the time (a relay switched every period, a duty the closed loop
   * retunes every second). Its changes are logged at once until IMMEDIATE_LINES of them came
   * within `summaryMs`; later ones are held back and summed up in one line (level, count,
   * energised share) once the pin has stopped switching (a period for a relay heater, 2 s for
   * PWM) or at the latest `summaryMs` after the first of them, and a summary counts as
   * IMMEDIATE_LINES lines, so a steadily switching pin logs one line per `summaryMs`.
   */
  summaryMs?: number;
  /** Sensors read through this ADC (the ESP32 profile: ./adc.ts ESP32_ADC); without it, the model's °C as they are. */
  adc?: AdcRange;
}

/** One change of level: 0|1 on a digital output, the duty 0..1 (as written) on a PWM output. */
export interface PinWrite {
  readonly at: number;
  readonly pin: PinSpecifier;
  readonly driver: string;
  readonly level: number;
}

export interface SimulatedPins extends PinProvider {
  /** The last level written to `pin` (0|1, or PWM duty 0..1); undefined before the first write. */
  level(pin: PinSpecifier): number | undefined;
  /** Changes of level (repeated writes of one value are one change), oldest first, at most WRITE_HISTORY. */
  readonly writes: readonly PinWrite[];
  /** The thermal model behind a declared sensor (to read, heat, or break it in tests). */
  thermal(sensor: string): ThermalModel;
  /** Closes every pin and sensor still open; pending heater summaries are logged first. */
  close(): void;
}

export function createSimulatedPins(options: SimulatedPinsOptions): SimulatedPins {
  return new SimulatedPinBoard(options);
}

/** Changes of a switching heater's pin not logged yet. */
interface Held {
  readonly start: number;
  changes: number;
  /** Energised share integrated since `start`, share x ms, up to `since`. */
  energy: number;
  since: number;
  /** Ends the summing up `summaryMs` after `start`, however busy the pin. */
  deadline: unknown;
  /** Ends it earlier once the pin has stopped switching: due settleMs after `since` (the last change), checked when it fires. */
  settle: unknown;
}

/** What the simulation knows of a pin from the declarations, and its state now. */
interface Pin {
  readonly spec: PinSpecifier;
  readonly driver: DriverDeclaration;
  readonly output: "digital" | "pwm";
  /** The model this pin heats, for a heater with a sensor. */
  readonly heats: ThermalModel | undefined;
  open: boolean;
  level: number | undefined;
  /** When its recent changes were logged one by one. */
  shown: number[];
  held: Held | undefined;
}

class SimulatedPinBoard implements SimulatedPins {
  /**
   * The last WRITE_HISTORY changes, a ring in columns, written at `#next` (the oldest once full):
   * trimming the front of an array on each change moves every entry (on XS, a thousand per
   * change), and an object per change, kept for a thousand changes, outlived V8's young
   * generation and became garbage of its old one (the desktop device makes two changes a
   * PREHEAT/STOP). `writes` makes the objects when it is read.
   */
  readonly #historyAt = new Float64Array(WRITE_HISTORY);
  readonly #historyLevel = new Float64Array(WRITE_HISTORY);
  readonly #historyPin: Pin[] = [];
  #next = 0;
  readonly #host: SimulatedPinsOptions["host"];
  readonly #log: (line: string) => void;
  readonly #summaryMs: number;
  readonly #pins = new Map<string, Pin>();
  readonly #models = new Map<string, ThermalModel>();
  readonly #sensorPins = new Map<string, string>();
  readonly #sensors = new Map<string, SensorDeclaration>();
  readonly #adc: AdcRange | undefined;
  /** Pin -> "driver grill" / "sensor cavity", to name both sides of a pin declared twice. */
  readonly #claims = new Map<string, string>();
  readonly #openSensors = new Map<string, TemperatureInput>();
  readonly #openOutputs = new Set<DigitalOutput | PwmOutput>();

  constructor(options: SimulatedPinsOptions) {
    this.#host = options.host;
    this.#log = options.log;
    this.#summaryMs = options.summaryMs ?? HEATER_SUMMARY_MS;
    this.#adc = options.adc;
    const now = () => this.#host.now();
    for (const sensor of options.sensors) {
      this.#claim(sensor.pin, `sensor ${sensor.name}`);
      this.#sensorPins.set(String(sensor.pin), sensor.name);
      this.#sensors.set(sensor.name, sensor);
      this.#models.set(sensor.name, new ThermalModel(sensor, now));
    }
    for (const driver of options.drivers) {
      this.#claim(driver.pin, `driver ${driver.name}`);
      let heats: ThermalModel | undefined;
      if (driver.kind === "heater" && driver.sensor !== undefined) {
        heats = this.#models.get(driver.sensor);
        if (!heats) throw new Error(`heater ${driver.name} names sensor "${driver.sensor}", which is not declared in config.device.sensors`);
      }
      const output = driver.kind === "relay" || (driver.kind === "heater" && driver.output === "relay") ? "digital" : "pwm";
      this.#pins.set(String(driver.pin), { spec: driver.pin, driver, output, heats, open: false, level: undefined, shown: [], held: undefined });
    }
  }

  get writes(): readonly PinWrite[] {
    const kept = this.#historyPin.length;
    const oldest = kept < WRITE_HISTORY ? 0 : this.#next;
    const writes: PinWrite[] = [];
    for (let i = 0; i < kept; i++) {
      const slot = (oldest + i) % WRITE_HISTORY;
      const pin = this.#historyPin[slot]!;
      writes.push({ at: this.#historyAt[slot]!, pin: pin.spec, driver: pin.driver.name, level: this.#historyLevel[slot]! });
    }
    return writes;
  }

  level(pin: PinSpecifier): number | undefined {
    return this.#pins.get(String(pin))?.level;
  }

  thermal(sensor: string): ThermalModel {
    const model = this.#models.get(sensor);
    if (!model) throw new Error(`no sensor "${sensor}" (sensors: ${[...this.#models.keys()].join(", ") || "none"})`);
    return model;
  }

  digitalOutput(spec: PinSpecifier): DigitalOutput {
    const pin = this.#open(spec, "digital");
    const output: DigitalOutput = {
      write: (value: 0 | 1) => {
        this.#check(pin, output);
        if (value !== 0 && value !== 1) throw new RangeError(`${label(pin)}: a digital output takes 0 or 1, got ${String(value)}`);
        this.#change(pin, value);
      },
      close: () => this.#close(pin, output),
    };
    this.#openOutputs.add(output);
    return output;
  }

  pwmOutput(spec: PinSpecifier, hz: number): PwmOutput {
    if (!(hz > 0 && Number.isFinite(hz))) throw new RangeError(`pin ${spec}: the PWM frequency must be a positive number of Hz, got ${hz}`);
    const pin = this.#open(spec, "pwm");
    const max = 2 ** PWM_RESOLUTION - 1;
    const output: PwmOutput = {
      resolution: PWM_RESOLUTION,
      hz,
      write: (value: number) => {
        this.#check(pin, output);
        if (!Number.isInteger(value) || value < 0 || value > max) {
          throw new RangeError(`${label(pin)}: a ${PWM_RESOLUTION}-bit PWM output takes a whole number 0..${max}, got ${value}`);
        }
        this.#change(pin, value / max);
      },
      close: () => this.#close(pin, output),
    };
    this.#openOutputs.add(output);
    return output;
  }

  temperatureInput(name: string, spec: PinSpecifier): TemperatureInput {
    const model = this.#models.get(name);
    if (!model) throw new Error(`no sensor "${name}" in config.device.sensors (sensors: ${[...this.#models.keys()].join(", ") || "none"})`);
    if (this.#sensorPins.get(String(spec)) !== name) throw new Error(`sensor ${name} is not on pin ${spec}: check its pin in config.device.sensors`);
    if (this.#openSensors.has(name)) throw new Error(`sensor ${name} is already open: each sensor can be opened once (close it first)`);
    const input = new SimulatedTemperatureInput(model, {
      now: () => this.#host.now(),
      log: this.#log,
      onClose: () => this.#openSensors.delete(name),
      read: this.#adc ? adcReading(this.#adc, this.#sensors.get(name)!, model) : undefined,
    });
    this.#openSensors.set(name, input);
    return input;
  }

  close(): void {
    for (const output of [...this.#openOutputs]) output.close();
    for (const input of [...this.#openSensors.values()]) input.close();
  }

  #claim(spec: PinSpecifier, owner: string): void {
    const other = this.#claims.get(String(spec));
    if (other !== undefined) throw new Error(`pin ${spec} is declared twice (${other}, ${owner}): give each driver and sensor its own pin`);
    this.#claims.set(String(spec), owner);
  }

  #open(spec: PinSpecifier, output: Pin["output"]): Pin {
    const pin = this.#pins.get(String(spec));
    if (!pin) {
      const sensor = this.#sensorPins.get(String(spec));
      if (sensor !== undefined) throw new Error(`pin ${spec} is the input of sensor ${sensor}, not an output`);
      throw new Error(`pin ${spec} belongs to no driver: declare it in config.device.drivers`);
    }
    if (pin.output !== output) {
      throw new Error(`${label(pin)} is a ${pin.output === "pwm" ? "PWM" : "digital"} output for a ${pin.driver.kind}, not a ${output === "pwm" ? "PWM" : "digital"} one`);
    }
    if (pin.open) throw new Error(`${label(pin)} is already open: each pin can be opened once (close it first)`);
    pin.open = true;
    return pin;
  }

  #check(pin: Pin, output: DigitalOutput | PwmOutput): void {
    if (!this.#openOutputs.has(output)) throw new Error(`${label(pin)} is closed: open it again before writing`);
  }

  #close(pin: Pin, output: DigitalOutput | PwmOutput): void {
    if (!this.#openOutputs.delete(output)) return;
    pin.open = false;
    this.#release(pin);
    // A released pin drives nothing: whatever it heated cools from now on.
    pin.heats?.setPower(pin.driver.name, 0);
  }

  #change(pin: Pin, level: number): void {
    if (level === pin.level) return;
    const now = this.#host.now();
    const first = pin.level === undefined;
    const held = pin.held;
    if (held) {
      held.energy += energised(pin, pin.level) * (now - held.since);
      held.since = now;
    }
    pin.level = level;
    pin.heats?.setPower(pin.driver.name, energised(pin, level));
    const slot = this.#next;
    this.#historyAt[slot] = now;
    this.#historyLevel[slot] = level;
    this.#historyPin[slot] = pin;
    this.#next = (slot + 1) % WRITE_HISTORY;
    // Every change shows at once (a command, STOP, a trip), until a heater's pin has shown
    // IMMEDIATE_LINES changes within summaryMs: then it is switching, and is summed up.
    if (pin.driver.kind !== "heater") {
      this.#log(describe(pin));
      return;
    }
    // Only a heater's pin counts its lines (at most IMMEDIATE_LINES are kept): counting every
    // relay's too kept each change of summaryMs, tens of thousands for a relay switched by every command.
    // In time order: what is older than summaryMs goes from the front, in place.
    const shown = pin.shown;
    let expired = 0;
    while (expired < shown.length && now - shown[expired]! >= this.#summaryMs) expired++;
    if (expired > 0) shown.splice(0, expired);
    if (first || (!held && pin.shown.length < IMMEDIATE_LINES)) {
      if (!first) pin.shown.push(now);
      this.#log(describe(pin));
      return;
    }
    if (held) {
      // `since` is now this change: the settle timer, when it fires, waits out the rest.
      held.changes += 1;
      return;
    }
    pin.held = {
      start: now,
      changes: 1,
      energy: 0,
      since: now,
      deadline: this.#host.setTimeout(() => this.#release(pin), this.#summaryMs),
      settle: undefined,
    };
    this.#settleLater(pin, settleMs(pin));
  }

  /**
   * Releases the pin once it has not changed for settleMs. Not a timer set again at each change:
   * a heater switching fast made a timer a change, each kept for the settle time (2 s for PWM),
   * garbage of V8's old generation on the desktop. One timer checks, and waits out what is left.
   */
  #settleLater(pin: Pin, ms: number): void {
    const held = pin.held!;
    held.settle = this.#host.setTimeout(() => {
      if (pin.held !== held) return;
      const still = this.#host.now() - held.since;
      const wait = settleMs(pin) - still;
      if (wait > 0) this.#settleLater(pin, wait);
      else this.#release(pin);
    }, ms);
  }

  /** Logs what was held back: the level now, and for more than one change their count and average. */
  #release(pin: Pin): void {
    const held = pin.held;
    if (!held) return;
    pin.held = undefined;
    this.#host.clearTimeout(held.deadline);
    this.#host.clearTimeout(held.settle);
    if (held.changes === 1) {
      this.#log(describe(pin));
      return;
    }
    const now = this.#host.now();
    // Still counts as switching: the next changes within summaryMs are summed up too.
    pin.shown = Array.from({ length: IMMEDIATE_LINES }, () => now);
    const span = now - held.start;
    const energy = held.energy + energised(pin, pin.level) * (now - held.since);
    const share = percent(span > 0 ? energy / span : energised(pin, pin.level));
    const average = pin.output === "pwm" ? `mean output ${share}` : `on ${share} of the time`;
    this.#log(describe(pin, `${held.changes} changes in ${Math.round(span / 1000)} s, ${average}`));
  }
}

/**
 * How long a switching pin stays still before it counts as settled: a relay heater changes at
 * least once a period while it switches, a closed loop retunes a PWM duty every second.
 */
function settleMs(pin: Pin): number {
  return pin.driver.kind === "heater" && pin.driver.output === "relay" ? pin.driver.periodMs + 1000 : 2000;
}

/** How much of its power the pin's load gets at `level`, 0..1: the active level decides. */
function energised(pin: Pin, level: number | undefined): number {
  if (level === undefined) return 0;
  return pin.driver.active === "low" ? 1 - level : level;
}

function label(pin: Pin): string {
  return `pin ${pin.spec} (${pin.driver.name})`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** `pin 26 (grill) -> 1`, `pin 25 (oven) pwm 62%`; an active-low pin also says what its load sees. */
function describe(pin: Pin, note?: string): string {
  const level = pin.level ?? 0;
  const notes: string[] = [];
  if (pin.driver.active === "low") {
    notes.push(pin.output === "pwm" ? `active low: ${percent(1 - level)} on` : `active low: ${level === 0 ? "on" : "off"}`);
  }
  if (note) notes.push(note);
  const shown = pin.output === "pwm" ? `pwm ${percent(level)}` : `-> ${level}`;
  return `${label(pin)} ${shown}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}
