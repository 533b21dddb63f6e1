// The desktop's two firmware partitions, kept in a folder across restarts: each image a file, the
// bootloader's state a small JSON file written last (temp file, rename), so a crash while an image
// is written leaves the previous state, which does not point at it. A desktop image is a
// descriptor, {"version": "..."}: the desktop runs the same code whatever image it "boots", and
// reports the version of the one it booted.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SimulatedPartitions, type PartitionState } from "../../src/app/firmware-update.js";

export class FolderPartitions extends SimulatedPartitions {
  readonly #dir: string;

  /** The pair in `dir`; a new folder starts with `factory` in partition 0. */
  constructor(dir: string, factory: Uint8Array) {
    const statePath = join(dir, "state.json");
    let saved: (PartitionState & { images: (Uint8Array | undefined)[] }) | undefined;
    if (existsSync(statePath)) {
      const state = JSON.parse(readFileSync(statePath, "utf8")) as PartitionState;
      const image = (index: number) => (existsSync(join(dir, `${index}.bin`)) ? new Uint8Array(readFileSync(join(dir, `${index}.bin`))) : undefined);
      saved = { ...state, images: [image(0), image(1)] };
    }
    super(factory, saved);
    this.#dir = dir;
    if (!saved) this.#save(0);
  }

  override activate(): void {
    super.activate();
    this.#save(1 - this.running);
  }

  override confirm(): void {
    super.confirm();
    this.#save();
  }

  override rollback(): void {
    super.rollback();
    this.#save();
  }

  override restart(): Uint8Array {
    const image = super.restart();
    this.#save();
    return image;
  }

  /** The version in the running image's descriptor. */
  get version(): string {
    const image = this.images[this.running];
    try {
      const version = (JSON.parse(new TextDecoder().decode(image)) as { version?: unknown }).version;
      return typeof version === "string" ? version : "unknown";
    } catch {
      return "unknown";
    }
  }

  #save(image?: number): void {
    mkdirSync(this.#dir, { recursive: true });
    if (image !== undefined) writeFileSync(join(this.#dir, `${image}.bin`), this.images[image]!);
    const temp = join(this.#dir, "state.json.tmp");
    writeFileSync(temp, JSON.stringify(this.state));
    renameSync(temp, join(this.#dir, "state.json"));
  }
}
