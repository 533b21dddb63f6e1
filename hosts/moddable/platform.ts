// What differs between an ESP32 build and a simulator build, behind one module name
// ("appliance/platform" in hosts/moddable/manifest.json): the pins, the firmware partitions and the
// restart. The ESP32's pins come from the board's IO provider (./pins.ts), its partitions are the
// OTA pair (./ota-partitions.ts); the simulator's pins are simulated and its partitions are files
// (hosts/sim/platform.ts), and it restarts by running the firmware again.

import type { FirmwareSlot } from "../../src/app/firmware-update.js";
import type { BoardPinMap } from "../../src/device/board-pins.js";
import type { DriverDeclaration, SensorDeclaration } from "../../src/drivers/declarations.js";
import type { PinProvider } from "../../src/drivers/io.js";
import type { Host, SettingsStore } from "../../src/host.js";

export interface PlatformPinsOptions {
  drivers: readonly DriverDeclaration[];
  sensors: readonly SensorDeclaration[];
  host: Host;
  /** The manifest's config (mc/config), for the board's pin map. */
  config: Readonly<Record<string, unknown>>;
  log(event: string, detail: string): void;
}

/** The firmware's partitions: where an update is written, and what the bootloader booted. */
export interface FirmwarePartitions {
  readonly slot: FirmwareSlot;
  /**
   * The bootloader's step, where the platform simulates one (the simulator, whose restart is a
   * re-run of the firmware); a board's bootloader does it itself.
   */
  boot?(): void;
  /** The version of the image running. */
  version(): string;
}

export interface Platform {
  /** "esp32" or "simulator", for the start-up trace. */
  readonly name: string;
  createPins(options: PlatformPinsOptions): PinProvider & { close(): void };
  /** The board's pin map (name -> GPIO), the only pins a declaration sent to the device may use; undefined without a board. */
  pinMap(config: Readonly<Record<string, unknown>>): BoardPinMap | undefined;
  /** Runs first at power-up (not at build time, when preloaded modules are evaluated): the simulator ignores SIGPIPE. */
  start?(): void;
  /** The firmware's partitions (the ESP32's OTA pair; files in the simulator), opened once at boot. */
  partitions(): FirmwarePartitions;
  /** Where stored settings live, where not the SDK's Preference (the simulator's files). */
  settingsStore?(): SettingsStore;
  /** Restarts the device (the SDK's restart on a board); undefined where the firmware re-runs itself (the simulator). */
  restart?(): void;
  /** Whether the set-up button is held at power-up (a board's `provision_pin`; the simulator's `provision` key). */
  setUpButtonHeld?(config: Readonly<Record<string, unknown>>, log: (event: string, detail: string) => void): boolean;
}

/**
 * Whether the simulator runs on its ESP32 profile (esp32_profile=1, set by `npm run sim --
 * --esp32-profile` and the simulator tests): the clock from 1970 until SNTP sets it and the
 * ESP32's calibrated ADC range, besides the heaps the build fixes. Never set on a board.
 */
export function esp32Profile(config: Readonly<Record<string, unknown>>): boolean {
  const value = config.esp32_profile;
  return value !== undefined && value !== false && value !== 0 && value !== "0" && value !== "";
}
