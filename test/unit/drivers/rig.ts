// Shared setup for the driver suites: declarations with defaults, and drivers on fake pins and a
// fake clock that record trips and change notices.

import type { DimmerDeclaration, DriverDeclaration, HeaterDeclaration, RelayDeclaration, SensorDeclaration } from "../../../src/drivers/declarations.js";
import type { Driver, Trip } from "../../../src/drivers/driver.js";
import { createDrivers } from "../../../src/drivers/drivers.js";
import { FakeClock } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";

export function relay(name: string, pin: number, more: Partial<RelayDeclaration> = {}): RelayDeclaration {
  return { kind: "relay", name, pin, active: "high", maxOnMs: undefined, safe: false, interlock: undefined, interlockWaitMs: 0, ...more };
}

export function heater(name: string, pin: number, more: Partial<HeaterDeclaration> = {}): HeaterDeclaration {
  return { kind: "heater", name, pin, active: "high", maxOnMs: undefined, output: "pwm", hz: 1000, periodMs: 10_000, sensor: undefined, maxC: undefined, cutoffC: undefined, ...more };
}

/** A heater held at a target by the sensor "cavity": max 400 °C, cutoff 450 °C. */
export function oven(name: string, pin: number, more: Partial<HeaterDeclaration> = {}): HeaterDeclaration {
  return heater(name, pin, { sensor: "cavity", maxC: 400, cutoffC: 450, ...more });
}

export function dimmer(name: string, pin: number, more: Partial<DimmerDeclaration> = {}): DimmerDeclaration {
  return { kind: "dimmer", name, pin, active: "high", maxOnMs: undefined, hz: 1000, safe: 0, ...more };
}

export function sensor(name: string, pin: number): SensorDeclaration {
  return { name, kind: "temperature", pin, analog: { mvAt0C: 1250, mvPerC: 5, vrefMv: 3300 }, plausible: { minC: -40, maxC: 1000 }, simulation: { ambientC: 20, heatCPerS: 4, lossPerS: 0.01 } };
}

export interface Rig {
  clock: FakeClock;
  pins: FakePins;
  drivers: Map<string, Driver>;
  trips: Trip[];
  /** Names of the drivers onChange was called with, in order. */
  changes: string[];
  driver(name: string): Driver;
}

export function rig(declarations: DriverDeclaration[], sensors: SensorDeclaration[] = []): Rig {
  const clock = new FakeClock();
  const pins = new FakePins(clock);
  const trips: Trip[] = [];
  const changes: string[] = [];
  const drivers = createDrivers(declarations, sensors, {
    host: clock,
    pins,
    onTrip: (trip) => trips.push(trip),
    onChange: (driver) => changes.push(driver.name),
  });
  return {
    clock,
    pins,
    drivers,
    trips,
    changes,
    driver(name: string): Driver {
      const driver = drivers.get(name);
      if (!driver) throw new Error(`no driver ${name}`);
      return driver;
    },
  };
}
