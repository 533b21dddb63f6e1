// What differs between an ESP32 build and a simulator build, behind one module name
// ("appliance/platform" in hosts/moddable/manifest.json): the pins. The ESP32's come from the
// board's IO provider (./pins.ts); the simulator's are simulated (hosts/sim/platform.ts).

import type { DriverDeclaration, SensorDeclaration } from "../../src/drivers/declarations.js";
import type { PinProvider } from "../../src/drivers/io.js";
import type { Host } from "../../src/host.js";

export interface PlatformPinsOptions {
  drivers: readonly DriverDeclaration[];
  sensors: readonly SensorDeclaration[];
  host: Host;
  /** The manifest's config (mc/config), for the board's pin map. */
  config: Readonly<Record<string, unknown>>;
  log(event: string, detail: string): void;
}

export interface Platform {
  /** "esp32" or "simulator", for the start-up trace. */
  readonly name: string;
  createPins(options: PlatformPinsOptions): PinProvider & { close(): void };
}
