// The ESP32's firmware partitions: an update written into the inactive OTA partition by the SDK's
// `ota` module (esp_ota_begin/write/end, then set to boot), and the trial of the image booted by
// it kept or abandoned with the project's native boot controls (./ota-boot), under ESP-IDF's
// app rollback: the bootloader itself goes back to the previous image when a trial one is not
// confirmed before the next restart.

import OTA from "ota";
import { confirm, onTrial, rollback } from "appliance/ota-boot";
import type { FirmwareSlot } from "../../src/app/firmware-update.js";
import { FIRMWARE_VERSION } from "../../src/app/version.js";
import type { FirmwarePartitions } from "./platform.js";

export class OtaPartitions implements FirmwareSlot, FirmwarePartitions {
  #ota: OTA | undefined;

  get slot(): FirmwareSlot {
    return this;
  }

  get onTrial(): boolean {
    return onTrial();
  }

  begin(): void {
    this.cancel();
    // Finds the inactive partition; its sectors are erased as the writes reach them.
    this.#ota = new OTA();
  }

  write(bytes: Uint8Array): void {
    if (!this.#ota) throw new Error("write before begin");
    this.#ota.write(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer);
  }

  cancel(): void {
    this.#ota?.cancel();
    this.#ota = undefined;
  }

  activate(): void {
    if (!this.#ota) throw new Error("activate before begin");
    const ota = this.#ota;
    this.#ota = undefined;
    // Checks the image ESP-IDF's way (its header and checksum), then sets it to boot next.
    ota.complete();
  }

  confirm(): void {
    if (onTrial()) confirm();
  }

  rollback(): void {
    // Restarts at once on the previous image.
    rollback();
  }

  /** The image running is this build: its version is the one compiled in. */
  version(): string {
    return FIRMWARE_VERSION;
  }
}
