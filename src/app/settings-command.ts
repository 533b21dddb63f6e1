// The owner-only ad-hoc command `settings`: the connection settings as a data form (passwords as
// private fields that are never filled in or echoed back), every field checked with a message
// naming it, the change stored in one write and used after the restart that follows; or a factory
// reset, which forgets everything stored on the device (settings and declaration).

import type { SettingsStore } from "../host.js";
import type { AdHocCommand, Note } from "../xmpp/adhoc.js";
import type { FormField, SubmittedValues } from "../xmpp/dataforms.js";
import { encodeUtf8 } from "../xml/utf8.js";
import { ConfigError, readConnectionConfig, type FlatConfig } from "./config.js";
import { DECLARATION_RECORD } from "./declared-device.js";
import { FAST_RECORD } from "../xmpp/fast.js";
import { readStoredSettings, resolveSettings, SECRET_KEYS, SETTING_KEYS, writeStoredSettings, type SettingKey, type StoredSettings } from "./settings.js";
import { StoredText } from "./stored-text.js";
import { forgetPreviousSettings, keepPreviousSettings } from "./settings-trial.js";

export const SETTINGS_NODE = "settings";

export interface SettingsCommandOptions {
  store: SettingsStore;
  /** The manifest's config: what a key falls back to when nothing is stored for it. */
  manifest: FlatConfig;
  /** Restarts the device on its stored settings; the runtime leaves the reply time to go out first. */
  restart(): void;
  log(event: string, detail: string): void;
}

/** What each setting is called where a person fills it in (this form, the set-up page). */
export const SETTING_LABELS: Readonly<Record<SettingKey, string>> = {
  ssid: "Wi-Fi network (SSID)",
  password: "Wi-Fi passphrase",
  jid: "Device JID",
  xmpp_password: "XMPP account password",
  server: "XMPP server (host[:port])",
  ca: "CA certificate (PEM)",
  owner: "Owners (bare JIDs, comma-separated)",
};

/** Keys whose empty field means "keep what is there": the secrets and the CA are never shown, so their fields start empty. */
export const KEPT_WHEN_EMPTY: readonly SettingKey[] = [...SECRET_KEYS, "ca"];

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

/** The form: each setting with its value in force, except passwords and the CA, which are left empty. */
function settingsForm(current: FlatConfig) {
  const fields: FormField[] = SETTING_KEYS.map((key) => {
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      return { var: key, type: "text-private", label: SETTING_LABELS[key], desc: "never shown; leave empty to keep the one in use" };
    }
    if (key === "ca") return { var: key, type: "text-multi", label: SETTING_LABELS[key], desc: "the PEM text of the CA that signed the server's certificate; leave empty to keep the one in use" };
    return { var: key, type: "text-single", label: SETTING_LABELS[key], values: text(current[key]) === "" ? [] : [text(current[key])] };
  });
  fields.push({ var: "factory_reset", type: "boolean", label: "Factory reset", desc: "forget every setting and the declaration stored on the device (the other fields are then ignored), and restart on the firmware's own", values: ["false"] });
  return { title: "Device settings", instructions: "Changed settings are checked, stored together and used after the restart that follows.", fields };
}

/** Throws a ConfigError naming the first setting that is wrong in `config` (the settings as they would resolve). */
export function checkSettings(config: FlatConfig): void {
  readConnectionConfig(config);
  const ssid = text(config.ssid);
  const passphrase = text(config.password);
  if (encodeUtf8(ssid).length > 32) throw new ConfigError("ssid", `"${ssid}" is longer than the 32 bytes a Wi-Fi network name may have`);
  // WPA2-PSK (IEEE 802.11i): 8 to 63 printable ASCII characters, or 64 hex digits. Never quoted back.
  if (ssid !== "" && !/^[\x20-\x7e]{8,63}$/.test(passphrase) && !/^[0-9A-Fa-f]{64}$/.test(passphrase)) {
    throw new ConfigError("password", "a WPA2 passphrase is 8 to 63 printable ASCII characters (or 64 hex digits); the device joins no network without one");
  }
  if (text(config.owner).split(",").every((part) => part.trim() === "")) {
    throw new ConfigError("owner", "at least one owner is needed: without one nobody could command the device or change its settings again");
  }
  const ca = text(config.ca);
  if (ca.startsWith("-----") && !/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/.test(ca)) {
    throw new ConfigError("ca", "not a PEM certificate: paste the whole text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
  }
}

function fieldValue(values: SubmittedValues, key: string): string | undefined {
  const given = values.get(key);
  if (given === undefined) return undefined;
  return given.join(key === "ca" ? "\n" : "").trim();
}

export function settingsCommand(options: SettingsCommandOptions): AdHocCommand {
  const { store, manifest, restart, log } = options;
  return {
    node: SETTINGS_NODE,
    name: "Settings",
    form: () => settingsForm(resolveSettings(readStoredSettings(store), manifest)),
    async run(values, from): Promise<Note> {
      const reset = (values.get("factory_reset") ?? []).some((value) => value === "1" || value === "true");
      if (reset) {
        try {
          // The declaration first: a cut between the two leaves the settings, which still log in, and the built-in declaration.
          new StoredText(store, DECLARATION_RECORD).set(undefined);
          store.set(FAST_RECORD, undefined); // a login token is a credential too
          writeStoredSettings(store, {});
          forgetPreviousSettings(store); // the firmware's own settings are not on trial
        } catch (error) {
          return { type: "error", text: `error: the factory reset could not be written (${(error as Error).message}); send it again` };
        }
        log("settings", `factory reset by ${from.bare}: stored settings and declaration forgotten; restarting`);
        restart();
        return { type: "info", text: "ok: factory reset: every stored setting and the stored declaration are forgotten; the device restarts on the firmware's own" };
      }
      const stored = readStoredSettings(store);
      const current = resolveSettings(stored, manifest);
      const next: StoredSettings = { ...stored };
      const changed: SettingKey[] = [];
      for (const key of SETTING_KEYS) {
        const value = fieldValue(values, key);
        if (value === undefined || (value === "" && KEPT_WHEN_EMPTY.includes(key))) continue;
        if (value === text(current[key])) continue;
        next[key] = value;
        changed.push(key);
      }
      if (changed.length === 0) return { type: "info", text: "ok: nothing changed: every field holds the value in use" };
      try {
        checkSettings(resolveSettings(next, manifest));
      } catch (error) {
        if (error instanceof ConfigError) return { type: "error", text: `error: ${error.message}; nothing was changed` };
        throw error;
      }
      try {
        // The settings in force first: a cut before the new ones are written leaves them, on a trial that passes.
        keepPreviousSettings(store, stored);
        writeStoredSettings(store, next);
      } catch (error) {
        return { type: "error", text: `error: the settings could not be stored (${(error as Error).message}); nothing was changed` };
      }
      const named = changed.join(", ");
      log("settings", `${named} changed by ${from.bare}; restarting`);
      restart();
      return { type: "info", text: `ok: stored ${named}; the device restarts with them now` };
    },
  };
}
