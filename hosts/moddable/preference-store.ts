// The SettingsStore on the Moddable SDK: the `preference` module (NVS flash on ESP32, a JSON file
// in the simulator), one domain for the firmware. Multi-value texts go through StoredText, whose
// pointer moves last, so a power cut between two writes leaves the previous text readable.

import Preference from "preference";
import { checkSetting } from "../../src/app/stored-text.js";
import type { SettingsStore } from "../../src/host.js";

/** The preference domain (an NVS namespace on ESP32: at most 15 characters). */
const DOMAIN = "appliance";

export class PreferenceStore implements SettingsStore {
  get(key: string): string | undefined {
    const value = Preference.get(DOMAIN, key);
    return typeof value === "string" ? value : undefined;
  }

  set(key: string, value: string | undefined): void {
    checkSetting(key, value);
    if (value === undefined) Preference.delete(DOMAIN, key);
    else Preference.set(DOMAIN, key, value);
  }
}
