// The simulator's two firmware partitions, in files under the simulator's file root (config.file.root,
// /tmp/ unless the build sets another): each image a file, the bootloader's state a small JSON file
// written last (a temporary file, then a rename), so a crash while an image is written leaves the
// previous state, which does not point at it. The rules are the ESP-IDF bootloader's (bootRules in
// src/app/firmware-update.ts), as on the desktop. A simulator image is a descriptor,
// {"version": "...", ...}: the simulator runs the same code whatever image it "boots", and reports
// the version of the one it booted.

import { File } from "file";
import config from "mc/config";
import { bootRules, type FirmwareSlot, type PartitionState } from "../../src/app/firmware-update.js";
import type { FirmwarePartitions } from "../moddable/platform.js";

function root(): string {
  const file = (config as { file?: { root?: unknown } }).file;
  return typeof file?.root === "string" ? file.root : "/tmp/";
}

function readText(path: string): string | undefined {
  if (!File.exists(path)) return undefined;
  const file = new File(path);
  try {
    return file.read(String);
  } finally {
    file.close();
  }
}

function writeFile(path: string, bytes: Uint8Array | string): void {
  File.delete(path);
  const file = new File(path, true);
  try {
    file.write(typeof bytes === "string" ? bytes : (bytes.slice().buffer as ArrayBuffer));
  } finally {
    file.close();
  }
}

export class SimulatorPartitions implements FirmwareSlot, FirmwarePartitions {
  readonly #prefix: string;
  #boot: PartitionState;
  #writing: File | undefined;

  /** The pair under the file root; a new one starts with `factory` (a descriptor) in partition 0. */
  constructor(factory: string) {
    this.#prefix = `${root()}appliance-firmware-`;
    const saved = readText(this.#path("state.json"));
    if (saved === undefined) {
      writeFile(this.#path("0.bin"), factory);
      this.#boot = { running: 0, next: undefined, state: "confirmed" };
      this.#save();
    } else {
      const parsed = JSON.parse(saved) as PartitionState;
      this.#boot = { running: parsed.running === 1 ? 1 : 0, next: parsed.next === 0 || parsed.next === 1 ? parsed.next : undefined, state: parsed.state };
    }
  }

  get slot(): FirmwareSlot {
    return this;
  }

  get onTrial(): boolean {
    return this.#boot.state === "trial";
  }

  begin(): void {
    this.cancel();
    // The partition not running is erased first, as esp_ota_begin does.
    const path = this.#path(`${1 - this.#boot.running}.bin`);
    File.delete(path);
    this.#writing = new File(path, true);
  }

  write(bytes: Uint8Array): void {
    if (!this.#writing) throw new Error("write before begin");
    this.#writing.write(bytes.slice().buffer as ArrayBuffer);
  }

  cancel(): void {
    this.#writing?.close();
    this.#writing = undefined;
  }

  activate(): void {
    if (!this.#writing) throw new Error("activate before begin");
    this.#writing.close();
    this.#writing = undefined;
    this.#boot = bootRules.activated(this.#boot);
    this.#save();
  }

  confirm(): void {
    this.#boot = bootRules.confirmed(this.#boot);
    this.#save();
  }

  rollback(): void {
    this.#boot = bootRules.rolledBack(this.#boot);
    this.#save();
  }

  /** The bootloader's step at a restart (the simulator's re-run of the firmware). */
  boot(): void {
    this.#boot = bootRules.restarted(this.#boot);
    this.#save();
  }

  /** The version in the running image's descriptor. */
  version(): string {
    try {
      const text = readText(this.#path(`${this.#boot.running}.bin`));
      const version = text === undefined ? undefined : (JSON.parse(text) as { version?: unknown }).version;
      return typeof version === "string" ? version : "unknown";
    } catch {
      return "unknown";
    }
  }

  #path(name: string): string {
    return this.#prefix + name;
  }

  #save(): void {
    const temp = this.#path("state.json.tmp");
    writeFile(temp, JSON.stringify(this.#boot));
    File.rename(temp, this.#path("state.json"));
  }
}
