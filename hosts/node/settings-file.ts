// The desktop's SettingsStore: one JSON file, rewritten whole through a temporary file that is
// flushed and then renamed over it, so a crash or power cut leaves the previous file intact.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { SettingsStore } from "../../src/host.js";
import { checkSetting } from "../../src/app/stored-text.js";

/** The settings file cannot be read as settings: the message names it and what to do. */
export class SettingsFileError extends Error {
  override readonly name = "SettingsFileError";
}

export class FileSettingsStore implements SettingsStore {
  readonly path: string;
  readonly #values: Map<string, string>;

  /** Reads `path` now; a missing file is an empty store, an unreadable one an error naming it. */
  constructor(path: string) {
    this.path = path;
    this.#values = readSettings(path);
  }

  get(key: string): string | undefined {
    return this.#values.get(key);
  }

  set(key: string, value: string | undefined): void {
    checkSetting(key, value);
    if (this.#values.get(key) === value) return;
    const next = new Map(this.#values);
    if (value === undefined) next.delete(key);
    else next.set(key, value);
    writeSettings(this.path, next);
    // Only once the file holds it: a failed write leaves memory and file agreeing.
    if (value === undefined) this.#values.delete(key);
    else this.#values.set(key, value);
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }
}

function readSettings(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw new SettingsFileError(`cannot read the settings file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SettingsFileError(`the settings file ${path} is not JSON (${(error as Error).message}): fix or delete it (deleting it is a factory reset)`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new SettingsFileError(`the settings file ${path} must hold one JSON object`);
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") throw new SettingsFileError(`the settings file ${path}: "${key}" must be text`);
    values.set(key, value);
  }
  return values;
}

function writeSettings(path: string, values: ReadonlyMap<string, string>): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  // Settings hold passwords: readable by their owner only.
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(Object.fromEntries(values), null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  // The rename itself is made durable by flushing the directory that holds the entry.
  try {
    const directory = openSync(dirname(path), "r");
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  } catch {
    // Not every file system lets a directory be opened for fsync; the rename is still atomic.
  }
}
