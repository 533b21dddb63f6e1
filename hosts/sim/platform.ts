// "appliance/platform" in the Moddable simulator: it has no embedded:io/digital or pwm, so the
// pins are the desktop simulation's (./pins.ts), each change traced, heaters warming a thermal model.

import type { Platform } from "../moddable/platform.js";
import { createSimulatedPins } from "./pins.js";

const platform: Platform = {
  name: "simulator",
  createPins({ drivers, sensors, host, log }) {
    return createSimulatedPins({
      drivers,
      sensors,
      host,
      // The simulation's lines start with what they are about: "pin 26 (grill) -> 1".
      log: (line) => {
        const space = line.indexOf(" ");
        log(line.slice(0, space), line.slice(space + 1));
      },
    });
  },
};
export default platform;
