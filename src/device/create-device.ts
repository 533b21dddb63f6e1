// Builds a running Device from its checked declaration: opens every pin in its safe state
// (createDrivers), then the instruction set and the device over them.

import type { Host } from "../host.js";
import type { Trip } from "../drivers/driver.js";
import { createDrivers } from "../drivers/drivers.js";
import type { PinProvider } from "../drivers/io.js";
import { Device } from "./device.js";
import { InstructionSet } from "./instruction-set.js";
import type { DeviceDeclaration } from "./types.js";

export interface DeviceContext {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  pins: PinProvider;
  /** A command started or ended, a driver changed or tripped. */
  onChange?(): void;
  /** A driver enforced a limit by itself (already safe when this is called). */
  onTrip?(trip: Trip): void;
}

export function createDevice(declaration: DeviceDeclaration, context: DeviceContext): Device {
  let device: Device | undefined;
  const drivers = createDrivers(declaration.drivers, declaration.sensors, {
    host: context.host,
    pins: context.pins,
    onTrip: (trip) => {
      device?.trip(trip);
      context.onTrip?.(trip);
    },
    onChange: () => context.onChange?.(),
  });
  device = new Device({
    name: declaration.name,
    host: context.host,
    instructionSet: new InstructionSet(declaration),
    drivers,
    onChange: context.onChange,
  });
  return device;
}
