// "appliance/platform" in the Moddable simulator: it has no embedded:io/digital or pwm, so the
// pins are the desktop simulation's (./pins.ts), each change traced, heaters warming a thermal model
// (read through the ESP32's ADC range on the ESP32 profile); the firmware partitions are files
// (./partitions.ts).

import { esp32Profile, type Platform } from "../moddable/platform.js";
import { ESP32_ADC } from "./adc.js";
import { createSimulatedPins } from "./pins.js";
import { SimulatorPartitions } from "./partitions.js";
import { SimulatorSettingsStore } from "./settings-store.js";
import ignoreSigpipe from "appliance/sim-sigpipe";
import { FIRMWARE_VERSION } from "../../src/app/version.js";

const platform: Platform = {
  name: "simulator",
  createPins({ drivers, sensors, host, config, log }) {
    return createSimulatedPins({
      drivers,
      sensors,
      host,
      // The ESP32 profile reads the sensors through the board's ADC range.
      adc: esp32Profile(config) ? ESP32_ADC : undefined,
      // The simulation's lines start with what they are about: "pin 26 (grill) -> 1".
      log: (line) => {
        const space = line.indexOf(" ");
        log(line.slice(0, space), line.slice(space + 1));
      },
    });
  },
  // The simulator has no board: a sent declaration may use the pins of the manifest's (declaredPins).
  pinMap: () => undefined,
  // A write to a socket the peer closed must fail (EPIPE), not end mcsim with SIGPIPE.
  start: () => ignoreSigpipe(),
  // Files under the simulator's file root; the factory image is a descriptor of this build's version.
  partitions: () => new SimulatorPartitions(JSON.stringify({ version: FIRMWARE_VERSION })),
  // Files under the simulator's file root: the SDK's Linux Preference cannot write once preloaded.
  settingsStore: () => new SimulatorSettingsStore(),
  // The simulated set-up button: provision=1 on the mcconfig line (npm run sim -- --provision).
  setUpButtonHeld: (config) => /^(1|true|yes)$/i.test(String(config.provision ?? "")),
};
export default platform;
