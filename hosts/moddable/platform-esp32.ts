// "appliance/platform" on ESP32 boards: pins from the board's IO provider.

import type { Platform } from "./platform.js";
import { createPins, pinMap } from "./pins.js";

const platform: Platform = { name: "esp32", createPins, pinMap };
export default platform;
