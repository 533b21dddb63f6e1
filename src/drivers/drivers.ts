// Builds the drivers of a device from their checked declarations: every output opened and put
// in its safe state, in declaration order, before anything else happens.

import type { Host } from "../host.js";
import type { DriverDeclaration, SensorDeclaration } from "./declarations.js";
import type { Driver, Trip } from "./driver.js";
import { Dimmer } from "./dimmer.js";
import { Heater } from "./heater.js";
import { InterlockGroup } from "./interlock.js";
import type { PinProvider, PinSpecifier, TemperatureInput } from "./io.js";
import type { DriverServices } from "./output-driver.js";
import { Relay } from "./relay.js";

export interface DriverContext {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  pins: PinProvider;
  /** A driver enforced a limit by itself; it is already in its safe state. */
  onTrip(trip: Trip): void;
  /** A driver's commanded value or trip changed (not every level a loop or slow PWM writes). */
  onChange?(driver: Driver): void;
}

/**
 * Throws, before any pin is touched, on declarations the drivers cannot run safely (the
 * declaration module should have refused them already); if opening a pin fails, every output
 * opened so far is put safe and closed before the error is rethrown.
 */
export function createDrivers(
  declarations: readonly DriverDeclaration[],
  sensors: readonly SensorDeclaration[],
  context: DriverContext,
): Map<string, Driver> {
  const inputs = new Map(sensors.map((sensor) => [sensor.name, new SharedTemperature(sensor)]));
  const names = new Set<string>();
  for (const declaration of declarations) {
    if (names.has(declaration.name)) throw new Error(`driver ${declaration.name} is declared twice`);
    names.add(declaration.name);
    refuseUnsafe(declaration, inputs);
  }

  const services: DriverServices = { host: context.host, onTrip: (trip) => context.onTrip(trip), onChange: context.onChange };
  const groups = new Map<string, InterlockGroup>();
  const drivers = new Map<string, Driver>();
  try {
    for (const declaration of declarations) drivers.set(declaration.name, build(declaration));
    // Inputs after outputs: nothing may delay an output's safe state.
    for (const input of inputs.values()) input.open(context.pins);
  } catch (error) {
    for (const driver of drivers.values()) driver.close();
    throw error;
  }
  return drivers;

  function build(declaration: DriverDeclaration): Driver {
    switch (declaration.kind) {
      case "relay": {
        const name = declaration.interlock;
        let group = name === undefined ? undefined : groups.get(name);
        if (name !== undefined && group === undefined) groups.set(name, (group = new InterlockGroup(name, context.host)));
        return new Relay(declaration, context.pins, group, services);
      }
      case "heater": {
        const sensor = declaration.sensor === undefined ? undefined : inputs.get(declaration.sensor)!.use();
        return new Heater(declaration, context.pins, sensor, services);
      }
      case "dimmer":
        return new Dimmer(declaration, context.pins, services);
    }
  }
}

function refuseUnsafe(declaration: DriverDeclaration, inputs: ReadonlyMap<string, unknown>): void {
  const refuse = (why: string): never => {
    throw new Error(`driver ${declaration.name}: ${why}`);
  };
  switch (declaration.kind) {
    case "relay":
      // Its limit and its group would both have to switch it off, and its safe state switches it on.
      if (declaration.safe && declaration.interlock !== undefined) refuse(`a relay whose safe state is on cannot be in interlock group ${declaration.interlock}`);
      if (declaration.safe && declaration.maxOnMs !== undefined) refuse("a relay whose safe state is on cannot have max_on_s (its safe state would trip it again)");
      break;
    case "heater":
      if (declaration.sensor === undefined) break;
      if (!inputs.has(declaration.sensor)) refuse(`no sensor ${declaration.sensor}`);
      if (declaration.maxC === undefined || declaration.cutoffC === undefined) refuse("a heater with a sensor needs max_c and cutoff_c");
      if (declaration.cutoffC! <= declaration.maxC!) refuse(`cutoff_c (${declaration.cutoffC}) must be above max_c (${declaration.maxC})`);
      break;
    case "dimmer":
      if (!(declaration.safe >= 0 && declaration.safe <= 100)) refuse(`safe level ${declaration.safe} is not between 0 and 100 %`);
      if (declaration.safe > 0 && declaration.maxOnMs !== undefined) refuse("a dimmer whose safe level is above 0 cannot have max_on_s (its safe state would trip it again)");
      break;
  }
}

/**
 * One input per sensor, shared by the heaters that read it: opened after every output is safe,
 * closed when the last of them closes.
 */
class SharedTemperature implements TemperatureInput {
  readonly #sensor: SensorDeclaration;
  #input: TemperatureInput | undefined;
  #users = 0;

  constructor(sensor: SensorDeclaration) {
    this.#sensor = sensor;
  }

  use(): TemperatureInput {
    this.#users += 1;
    return this;
  }

  /** Unused sensors stay closed: no pin is claimed for nothing. */
  open(pins: PinProvider): void {
    if (this.#users > 0) this.#input = pins.temperatureInput(this.#sensor.name, this.#sensor.pin);
  }

  /** The reading, checked against the sensor's plausible window: outside it, it throws (the heaters go safe). */
  sample(): number {
    const { name, plausible } = this.#sensor;
    if (!this.#input) throw new Error(`sensor ${name} is not open`);
    const reading = this.#input.sample();
    if (reading < plausible.minC || reading > plausible.maxC) {
      throw new Error(
        `it reads ${reading.toFixed(1)} °C, outside its plausible window ${plausible.minC}..${plausible.maxC} °C: an open or shorted probe, ` +
          `or the wrong scale (check the wiring, mv_at_0c/mv_per_c/vref_mv; the window is plausible_min_c/plausible_max_c)`,
      );
    }
    return reading;
  }

  close(): void {
    this.#users -= 1;
    if (this.#users === 0) this.#input?.close();
  }
}
