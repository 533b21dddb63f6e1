// Module names the firmware's manifest (hosts/moddable/manifest.json) maps per platform.

declare module "appliance/platform" {
  import type { Platform } from "../platform.js";
  const platform: Platform;
  export default platform;
}

declare module "appliance/wifi" {
  // The SDK's wifi module on ESP32; hosts/sim/wifi.ts, of the same shape, in the simulator.
  import WiFi from "wifi";
  export default WiFi;
}

declare module "appliance/pbkdf2" {
  // The project's C module (hosts/moddable/pbkdf2): PBKDF2-HMAC with a key one digest long.
  import type { DigestAlgorithm } from "../../../src/host.js";
  export default function pbkdf2(algorithm: DigestAlgorithm, password: Uint8Array, salt: Uint8Array, iterations: number): ArrayBuffer;
}

declare module "appliance/ota-boot" {
  // The project's C module on ESP32 (hosts/moddable/ota-boot): the trial of an updated image, and the restart.
  export function onTrial(): boolean;
  export function confirm(): void;
  export function rollback(): never;
  export function restart(): never;
}

declare module "appliance/sim-sigpipe" {
  // The simulator's C module (hosts/sim/sigpipe): SIGPIPE ignored, so a write to a closed socket fails instead of ending mcsim.
  export default function ignoreSigpipe(): void;
}
