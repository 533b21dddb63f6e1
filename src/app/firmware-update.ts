// Signed firmware updates, the runtime-independent part: an image is downloaded in chunks into the
// inactive partition, its SHA-256 compared with the one the owner gave and its signature checked
// with the key built into the firmware, before anything changes; only then do the outputs go safe
// and the new image boots, on trial: one that does not come online in time goes back to the old.
//
// An image file is the firmware followed by its signature (r || s, 64 bytes): ECDSA P-256 with
// SHA-256 over the 32-byte SHA-256 of the firmware (so the device verifies a digest it computed
// while writing, never the whole image at once; openssl: dgst -sha256 -binary, then dgst -sha256
// -sign). The owner's SHA-256 is of the whole file (what sha256sum prints). Ed25519 is not used:
// the Moddable SDK has no Ed25519.

import type { Host, TimerHandle } from "../host.js";
import type { AdHocCommand } from "../xmpp/adhoc.js";
import { ConfigError } from "./config.js";

export const SIGNATURE_BYTES = 64;
export const UPDATE_NODE = "update";
/** How long an updated image has to come online by default (update_trial_s). */
export const DEFAULT_TRIAL_MS = 300_000;

/** `update_trial_s` in ms: 5 to 86400 whole seconds, DEFAULT_TRIAL_MS when not given; every host reads it so. */
export function readUpdateTrialMs(given: unknown): number {
  if (given === undefined || given === "") return DEFAULT_TRIAL_MS;
  const seconds = Number(given);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 86_400) throw new ConfigError("update_trial_s", `${String(given)} is not a whole number of seconds from 5 to 86400`);
  return seconds * 1000;
}

/** The partition an update is written to (ESP32: the inactive OTA partition; desktop and simulator: a simulated one). */
export interface FirmwareSlot {
  /** Makes the inactive partition ready for a new image (erased). */
  begin(): void;
  write(bytes: Uint8Array): void;
  /** Forgets what was written; the partition in use is untouched. */
  cancel(): void;
  /** Boots the written image at the next restart, on trial: until `confirm()`, the restart after that goes back to the previous one. */
  activate(): void;
  /** Whether the running image is on trial (booted by an update and not confirmed yet). */
  readonly onTrial: boolean;
  /** The running image works (it came online): it stays. */
  confirm(): void;
  /** Goes back to the previous image at the next restart. */
  rollback(): void;
}

/** What an update needs of the runtime. */
export interface UpdateRuntime {
  slot: FirmwareSlot;
  /** Fetches `url` over HTTPS, checked against the device's CA, chunk by chunk; rejects when it fails or is cut. */
  download(url: string, onChunk: (bytes: Uint8Array) => void): Promise<void>;
  /** An incremental SHA-256. */
  sha256(): { write(bytes: Uint8Array): void; close(): Uint8Array };
  /** Checks the signature (r || s, ECDSA P-256 with SHA-256 over `digest`, the firmware's SHA-256) with the public key built into the firmware. */
  verify(digest: Uint8Array, signature: Uint8Array): boolean;
  restart(): void;
}

export interface FirmwareUpdateOptions {
  runtime: UpdateRuntime;
  host: Pick<Host, "setTimeout" | "clearTimeout">;
  /** Every output to its safe state, before the new image boots. */
  safe(): void;
  /** Progress for presence ("update: 192 KB downloaded"). */
  progress(status: string): void;
  log(event: string, detail: string): void;
  /** An image on trial that is not online within this time goes back to the previous one (default 5 min). */
  trialMs?: number;
}

const PROGRESS_BYTES = 64 * 1024;

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

export class FirmwareUpdate {
  readonly #options: FirmwareUpdateOptions;
  #running = false;
  #trial: TimerHandle | undefined;

  constructor(options: FirmwareUpdateOptions) {
    this.#options = options;
  }

  /**
   * At boot: an image on trial gets `trialMs` to come online (`online()`), or the previous image
   * boots again. Call once, before connecting.
   */
  boot(): void {
    const { runtime, host, log, trialMs = DEFAULT_TRIAL_MS } = this.#options;
    if (!runtime.slot.onTrial) return;
    log("update", `running a new image on trial: it goes back to the previous one unless it is online within ${Math.round(trialMs / 1000)} s`);
    this.#trial = host.setTimeout(() => {
      this.#trial = undefined;
      log("update", `the new image did not come online within ${Math.round(trialMs / 1000)} s: going back to the previous one`);
      runtime.slot.rollback();
      runtime.restart();
    }, trialMs);
  }

  /** Stops the trial's timer (the runtime restarts in place: the next run decides). */
  close(): void {
    if (this.#trial !== undefined) this.#options.host.clearTimeout(this.#trial);
    this.#trial = undefined;
  }

  /** The device is online: an image on trial is kept. */
  online(): void {
    const { runtime, host, log } = this.#options;
    if (this.#trial !== undefined) host.clearTimeout(this.#trial);
    this.#trial = undefined;
    if (!runtime.slot.onTrial) return;
    runtime.slot.confirm();
    log("update", "the new image is online: kept");
  }

  /** Downloads, checks and starts the image; the reply starts with "ok" or "error:". Nothing changes unless every check passes. */
  async run(url: string, sha256: string): Promise<string> {
    if (!/^https:\/\/[^\s/]+\/\S*$/.test(url)) return `error: field url: "${url}" is not an https:// address of the image; nothing was changed`;
    const expected = sha256.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(expected)) return "error: field sha256: not 64 hex digits (the SHA-256 of the image file, as sha256sum prints it); nothing was changed";
    if (this.#running) return "error: an update is already running; nothing was changed";
    this.#running = true;
    const { runtime, safe, progress, log } = this.#options;
    const slot = runtime.slot;
    try {
      const file = runtime.sha256();
      const image = runtime.sha256();
      // The last 64 bytes are the signature: held back until the next chunk shows they are not the end.
      let tail = new Uint8Array(0);
      let received = 0;
      let reported = 0;
      slot.begin();
      try {
        await runtime.download(url, (chunk) => {
          file.write(chunk);
          received += chunk.length;
          const joined = new Uint8Array(tail.length + chunk.length);
          joined.set(tail);
          joined.set(chunk, tail.length);
          const release = Math.max(0, joined.length - SIGNATURE_BYTES);
          if (release > 0) {
            const bytes = joined.subarray(0, release);
            image.write(bytes);
            slot.write(bytes);
          }
          tail = joined.slice(release);
          if (received - reported >= PROGRESS_BYTES) {
            reported = received;
            progress(`update: ${Math.floor(received / 1024)} KB downloaded`);
          }
        });
      } catch (error) {
        slot.cancel();
        log("update", `download of ${url} failed after ${received} bytes: ${(error as Error).message}`);
        return `error: the download failed after ${received} bytes (${(error as Error).message}); nothing was changed, the running image stays`;
      }
      const got = hex(file.close());
      if (got !== expected) {
        slot.cancel();
        return `error: field sha256: the image's SHA-256 is ${got}, not ${expected}; nothing was changed, the running image stays`;
      }
      if (received <= SIGNATURE_BYTES || !runtime.verify(image.close(), tail)) {
        slot.cancel();
        log("update", `${url}: the signature does not match the firmware's key: refused`);
        return "error: the image's signature is not valid for this firmware's key (not signed with the key this firmware was built with, or damaged); nothing was changed, the running image stays";
      }
      safe();
      slot.activate();
      log("update", `${url}: ${received} bytes, SHA-256 and signature checked: every output is in its safe state; restarting on the new image`);
      progress("update: checked, restarting on the new image");
      // The reply goes out before the restart.
      this.#options.host.setTimeout(() => runtime.restart(), 1000);
      return `ok: update checked (${received} bytes, SHA-256 and signature); every output is in its safe state; the device restarts on the new image and reports its version (XEP-0092) once online`;
    } finally {
      this.#running = false;
    }
  }
}

/** The owner-only ad-hoc command `update`: the image's https URL and its SHA-256. */
export function updateCommand(update: FirmwareUpdate): AdHocCommand {
  return {
    node: UPDATE_NODE,
    name: "Update the firmware",
    form: () => ({
      title: "Update the firmware",
      instructions: "The image is downloaded, its SHA-256 and its signature checked before anything changes; then every output goes safe and the device restarts on it. An image that does not come online goes back to the previous one.",
      fields: [
        { var: "url", type: "text-single", label: "Image URL (https://)", required: true },
        { var: "sha256", type: "text-single", label: "SHA-256 of the image file (64 hex digits)", required: true },
      ],
    }),
    async run(values) {
      const field = (name: string) => (values.get(name) ?? []).join("").trim();
      const reply = await update.run(field("url"), field("sha256"));
      return { type: reply.startsWith("ok") ? "info" : "error", text: reply };
    },
  };
}

export interface PartitionState {
  running: number;
  next: number | undefined;
  state: "confirmed" | "pending" | "trial";
}

/**
 * The bootloader's rules (ESP-IDF app rollback), as steps of the state it keeps: an activated
 * image boots on trial at the next restart; a trial image not confirmed before the restart after
 * that is abandoned for the previous one. Shared by every simulated partition pair (memory, the
 * desktop's folder, the simulator's files), so they all follow the same rules.
 */
export const bootRules = {
  activated(state: PartitionState): PartitionState {
    return { running: state.running, next: 1 - state.running, state: "pending" };
  },
  confirmed(state: PartitionState): PartitionState {
    return state.state === "trial" ? { ...state, state: "confirmed" } : state;
  },
  rolledBack(state: PartitionState): PartitionState {
    return { running: state.running, next: 1 - state.running, state: "confirmed" };
  },
  /** What the bootloader does at a restart. */
  restarted(state: PartitionState): PartitionState {
    if (state.state === "pending") return { running: state.next!, next: undefined, state: "trial" };
    // Restarted before it was confirmed: the previous image boots again.
    if (state.state === "trial") return { running: 1 - state.running, next: undefined, state: "confirmed" };
    return { running: state.next ?? state.running, next: undefined, state: "confirmed" };
  },
};

/** A partition pair in memory, with the bootloader's rules (bootRules). The desktop's, and the tests'. */
export class SimulatedPartitions implements FirmwareSlot {
  /** The image in each partition; `running` is the index of the one booted. */
  readonly images: (Uint8Array | undefined)[];
  #boot: PartitionState;
  #writing: Uint8Array[] | undefined;

  /** A pair holding `image` alone, or the pair as `saved` (a runtime that keeps it across restarts). */
  constructor(image: Uint8Array, saved?: PartitionState & { images: (Uint8Array | undefined)[] }) {
    this.images = saved ? [...saved.images] : [image, undefined];
    this.#boot = saved ? { running: saved.running, next: saved.next, state: saved.state } : { running: 0, next: undefined, state: "confirmed" };
  }

  /** The index of the partition booted. */
  get running(): number {
    return this.#boot.running;
  }

  /** What the bootloader keeps, besides the images. */
  get state(): PartitionState {
    return { ...this.#boot };
  }

  get onTrial(): boolean {
    return this.#boot.state === "trial";
  }

  begin(): void {
    this.#writing = [];
  }

  write(bytes: Uint8Array): void {
    if (!this.#writing) throw new Error("write before begin");
    this.#writing.push(bytes.slice());
  }

  cancel(): void {
    this.#writing = undefined;
  }

  activate(): void {
    if (!this.#writing) throw new Error("activate before begin");
    const length = this.#writing.reduce((sum, part) => sum + part.length, 0);
    const image = new Uint8Array(length);
    let at = 0;
    for (const part of this.#writing) {
      image.set(part, at);
      at += part.length;
    }
    this.images[1 - this.running] = image;
    this.#writing = undefined;
    this.#boot = bootRules.activated(this.#boot);
  }

  confirm(): void {
    this.#boot = bootRules.confirmed(this.#boot);
  }

  rollback(): void {
    this.#boot = bootRules.rolledBack(this.#boot);
  }

  /** What the bootloader does at a restart; gives the image that runs. */
  restart(): Uint8Array {
    this.#boot = bootRules.restarted(this.#boot);
    return this.images[this.running]!;
  }
}
