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
