// The device of a declaration, wired for the appliance that serves it, as every runtime does it:
// its changes update the appliance's presence, and a trip (a driver that switched itself off)
// is logged and messaged to the owners. The appliance needs the device first, so it is attached after.

import type { Device } from "../device/device.js";
import { createDevice, type DeviceContext } from "../device/create-device.js";
import type { DeviceDeclaration } from "../device/types.js";
import type { Appliance } from "./appliance.js";

export interface ApplianceDevice {
  readonly device: Device;
  /** The appliance to tell about changes and trips from now on. */
  attach(appliance: Pick<Appliance, "deviceChanged" | "notifyOwners">): void;
}

export function createApplianceDevice(
  declaration: DeviceDeclaration,
  context: Pick<DeviceContext, "host" | "pins">,
  log: (event: string, detail: string) => void,
): ApplianceDevice {
  let appliance: Pick<Appliance, "deviceChanged" | "notifyOwners"> | undefined;
  const device = createDevice(declaration, {
    ...context,
    onChange: () => appliance?.deviceChanged(),
    onTrip: (trip) => {
      log("trip", `${trip.driver}: ${trip.text}`);
      appliance?.notifyOwners(`${declaration.name}: ${trip.driver} switched off by itself: ${trip.text}`);
    },
  });
  return {
    device,
    attach(served) {
      appliance = served;
    },
  };
}

/** The start-up line every runtime logs once the outputs are in their safe state. */
export function readyLine(declaration: DeviceDeclaration, where = ""): string {
  return `${declaration.name}${where}: ${declaration.drivers.length} outputs in their safe state, ${declaration.opcodes.length} commands`;
}
