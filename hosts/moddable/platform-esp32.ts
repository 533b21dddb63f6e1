// "appliance/platform" on ESP32 boards: pins from the board's IO provider, the OTA partitions and
// the restart of the project's native boot controls.

import { restart } from "appliance/ota-boot";
import type { Platform } from "./platform.js";
import { OtaPartitions } from "./ota-partitions.js";
import { createPins, pinMap, setUpButtonHeld } from "./pins.js";

const platform: Platform = { name: "esp32", createPins, pinMap, partitions: () => new OtaPartitions(), restart: () => restart(), setUpButtonHeld };
export default platform;
