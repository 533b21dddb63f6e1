// Text longer than one stored value (a device declaration, a CA certificate in the settings) kept
// in a SettingsStore as numbered chunks under a pointer key, so that replacing it is one write:
// the new chunks go under a fresh generation first, the pointer moves last, and a power cut at
// any point leaves either the old text or the new one readable, never a mix.

import type { SettingsStore } from "../host.js";
import { encodeUtf8 } from "../xml/utf8.js";

/** The ESP32 NVS limits the SettingsStore contract keeps on every runtime. */
export const MAX_KEY_LENGTH = 15;
export const MAX_VALUE_BYTES = 4000;
/** Characters per chunk: a UTF-16 unit is at most 3 bytes of UTF-8, so 1,300 stay under 4,000 bytes. */
const CHUNK_CHARS = 1300;
/** At most this many chunks: the longest text kept is about 30 KB. */
const MAX_CHUNKS = 24;

/** Refuses a key or value the contract does not allow, with what to change; every store calls it. */
export function checkSetting(key: string, value: string | undefined): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(key)) {
    throw new RangeError(`setting key "${key}" is not 1 to ${MAX_KEY_LENGTH} ASCII letters, digits, "_", "." or "-"`);
  }
  if (value === undefined) return;
  if (typeof value !== "string") throw new TypeError(`setting ${key}: the value must be text`);
  const bytes = encodeUtf8(value).length;
  if (bytes > MAX_VALUE_BYTES) throw new RangeError(`setting ${key}: ${bytes} bytes is more than the ${MAX_VALUE_BYTES} a value may hold`);
}

/**
 * One text stored under `name` (at most 12 characters: chunk keys add 3). The pointer holds
 * `<generation>:<count>`; chunk i of generation g is `<name>.<g><i as base-36>`.
 */
export class StoredText {
  readonly #store: SettingsStore;
  readonly #name: string;

  constructor(store: SettingsStore, name: string) {
    if (name.length > MAX_KEY_LENGTH - 3) throw new RangeError(`stored text name "${name}" is longer than ${MAX_KEY_LENGTH - 3} characters`);
    this.#store = store;
    this.#name = name;
  }

  /** The text, or undefined when none is stored; throws when a chunk is missing (the store was damaged). */
  get(): string | undefined {
    const pointer = this.#pointer();
    if (!pointer) return undefined;
    let text = "";
    for (let i = 0; i < pointer.count; i++) {
      const chunk = this.#store.get(this.#chunkKey(pointer.generation, i));
      if (chunk === undefined) throw new Error(`stored ${this.#name}: chunk ${i + 1} of ${pointer.count} is missing; store it again`);
      text += chunk;
    }
    return text;
  }

  /** Replaces the text (undefined removes it); the old one stays readable until the pointer moves. */
  set(text: string | undefined): void {
    const old = this.#pointer();
    if (text === undefined) {
      this.#store.set(this.#name, undefined);
    } else {
      const count = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
      if (count > MAX_CHUNKS) throw new RangeError(`stored ${this.#name}: ${text.length} characters is more than the ${MAX_CHUNKS * CHUNK_CHARS} that can be kept`);
      const generation = old?.generation === "a" ? "b" : "a";
      for (let i = 0; i < count; i++) this.#store.set(this.#chunkKey(generation, i), text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS));
      this.#store.set(this.#name, `${generation}:${count}`);
    }
    // Left-overs of the old generation only cost space: removing them cannot lose the new text.
    if (old) for (let i = 0; i < old.count; i++) this.#store.set(this.#chunkKey(old.generation, i), undefined);
  }

  #pointer(): { generation: string; count: number } | undefined {
    const value = this.#store.get(this.#name);
    if (value === undefined) return undefined;
    const match = /^([ab]):(\d+)$/.exec(value);
    if (!match) throw new Error(`stored ${this.#name}: the pointer "${value}" is not <generation>:<count>; store it again`);
    return { generation: match[1]!, count: Number(match[2]) };
  }

  #chunkKey(generation: string, index: number): string {
    return `${this.#name}.${generation}${index.toString(36)}`;
  }
}

/** A SettingsStore in memory: the simulator's and the tests'. */
export class MemorySettingsStore implements SettingsStore {
  readonly values = new Map<string, string>();

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string | undefined): void {
    checkSetting(key, value);
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}
