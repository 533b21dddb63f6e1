// The device's settings as they resolve: what was stored on the device (provisioning, the
// settings command) first, then the manifest's `config`. The stored ones are one record, so a
// change of several keys is written, and survives a power cut, all at once or not at all.

import type { SettingsStore } from "../host.js";
import { ConfigError, type FlatConfig } from "./config.js";
import { StoredText } from "./stored-text.js";

/** The keys a device keeps in its store, DESIGN.md's names; `device` (the declaration) is kept apart. */
export const SETTING_KEYS = ["ssid", "password", "jid", "xmpp_password", "server", "ca", "owner"] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];
export type StoredSettings = Partial<Record<SettingKey, string>>;

/** Keys whose values are never shown, logged or sent back. */
export const SECRET_KEYS: readonly SettingKey[] = ["password", "xmpp_password"];

const RECORD = "settings";

/** The stored settings, {} when none; throws with what to do when the record is damaged. */
export function readStoredSettings(store: SettingsStore | undefined): StoredSettings {
  if (!store) return {};
  let parsed: unknown;
  try {
    const text = new StoredText(store, RECORD).get();
    if (text === undefined) return {};
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("settings", `the stored settings cannot be read (${(error as Error).message}): provision the device again, or reset it to its factory settings`);
  }
  return settingsIn(parsed);
}

/** The settings a parsed record holds: its string values of known keys, nothing else. */
export function settingsIn(parsed: unknown): StoredSettings {
  const settings: StoredSettings = {};
  if (typeof parsed !== "object" || parsed === null) return settings;
  for (const key of SETTING_KEYS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === "string") settings[key] = value;
  }
  return settings;
}

/** Replaces the stored settings with `settings` in one write (an empty record removes them: factory settings). */
export function writeStoredSettings(store: SettingsStore, settings: StoredSettings): void {
  const record: StoredSettings = {};
  for (const key of SETTING_KEYS) if (settings[key] !== undefined) record[key] = settings[key];
  new StoredText(store, RECORD).set(Object.keys(record).length ? JSON.stringify(record) : undefined);
}

/** Stored settings over the manifest's config: what the device runs with. */
export function resolveSettings(stored: StoredSettings, manifest: FlatConfig): FlatConfig {
  return { ...manifest, ...stored };
}
