// The device of a declaration, wired for the appliance that serves it, as every runtime does it:
// its changes update the appliance's presence, and a trip (a driver that switched itself off)
// is logged and messaged to the owners. The appliance needs the device first, so it is attached after.

import type { Device } from "../device/device.js";
import { createDevice, type DeviceContext } from "../device/create-device.js";
import type { PinProvider } from "../drivers/io.js";
import type { DeviceDeclaration } from "../device/types.js";
import type { SettingsStore } from "../host.js";
import type { Appliance } from "./appliance.js";
import { bootDeclaration, DeclaredDevice, type DeclaredDeviceOptions } from "./declared-device.js";

export interface ApplianceDevice {
  readonly device: Device;
  /** The appliance to tell about changes and trips from now on. */
  attach(appliance: Pick<Appliance, "deviceChanged" | "notifyOwners">): void;
}

type Served = Pick<Appliance, "deviceChanged" | "notifyOwners">;

function wiredDevice(declaration: DeviceDeclaration, context: Pick<DeviceContext, "host" | "pins">, log: (event: string, detail: string) => void, served: () => Served | undefined): Device {
  return createDevice(declaration, {
    ...context,
    onChange: () => served()?.deviceChanged(),
    onTrip: (trip) => {
      log("trip", `${trip.driver}: ${trip.text}`);
      served()?.notifyOwners(`${declaration.name}: ${trip.driver} switched off by itself: ${trip.text}`);
    },
  });
}

export function createApplianceDevice(
  declaration: DeviceDeclaration,
  context: Pick<DeviceContext, "host" | "pins">,
  log: (event: string, detail: string) => void,
): ApplianceDevice {
  let appliance: Served | undefined;
  const device = wiredDevice(declaration, context, log, () => appliance);
  return {
    device,
    attach(served) {
      appliance = served;
    },
  };
}

export interface ChangeableDeviceOptions {
  /** The manifest's declaration; a stored one that reads comes first (bootDeclaration). */
  builtIn: DeviceDeclaration;
  host: DeviceContext["host"];
  /** The pins of a declaration, opened (each output at its safe level); closed with the device. */
  openPins(declaration: DeviceDeclaration): PinProvider & { close(): void };
  store?: SettingsStore;
  board: DeclaredDeviceOptions["board"];
}

/** The appliance's device whose declaration an owner may change: opened on the stored declaration when it reads. */
export function createChangeableDevice(options: ChangeableDeviceOptions, log: (event: string, detail: string) => void): { device: DeclaredDevice; attach(appliance: Served): void } {
  let appliance: Served | undefined;
  const device = new DeclaredDevice({
    declaration: bootDeclaration(options.builtIn, options.store, options.board, log),
    store: options.store,
    board: options.board,
    log,
    open(declaration) {
      const pins = options.openPins(declaration);
      try {
        const opened = wiredDevice(declaration, { host: options.host, pins }, log, () => appliance);
        return {
          device: opened,
          close() {
            opened.close();
            pins.close();
          },
        };
      } catch (error) {
        // A pin the board does not have, or cannot drive: every pin opened so far is closed again.
        pins.close();
        throw error;
      }
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
