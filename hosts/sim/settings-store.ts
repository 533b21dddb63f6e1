// The simulator's SettingsStore: one file per key under the simulator's file root (config.file.root,
// the folder `npm run sim -- --data` gives), written to a temporary file and renamed, so a value is
// the old one or the new one. Not the SDK's `preference` for Linux: the firmware is preloaded, and
// with it that module's cache object, and XS's JSON.stringify throws "read only value" on an
// object made at preload and changed at run time, so its write of modpreferences.json always
// failed (silently) and nothing outlived the mcsim process.

import { File } from "file";
import config from "mc/config";
import { checkSetting } from "../../src/app/stored-text.js";
import type { SettingsStore } from "../../src/host.js";

function root(): string {
  const file = (config as { file?: { root?: unknown } }).file;
  return typeof file?.root === "string" ? file.root : "/tmp/";
}

export class SimulatorSettingsStore implements SettingsStore {
  readonly #prefix = `${root()}appliance-setting-`;

  get(key: string): string | undefined {
    const path = this.#prefix + key;
    if (!File.exists(path)) return undefined;
    const file = new File(path);
    try {
      return file.length === 0 ? "" : file.read(String);
    } finally {
      file.close();
    }
  }

  set(key: string, value: string | undefined): void {
    checkSetting(key, value);
    const path = this.#prefix + key;
    if (value === undefined) {
      File.delete(path);
      return;
    }
    const temp = `${path}.tmp`;
    File.delete(temp);
    const file = new File(temp, true);
    try {
      if (value !== "") file.write(value);
    } finally {
      file.close();
    }
    if (!File.rename(temp, path)) throw new Error(`cannot store ${key} (rename of ${temp} failed)`);
  }
}
