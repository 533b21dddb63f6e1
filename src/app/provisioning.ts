// Provisioning without reflashing: when a device opens its set-up access point (why), the
// access point's per-device name and passphrase, and the set-up page's requests and answers.
// The checks are the settings command's (checkSettings), the store is written once, and the
// runtime's HTTP server (node:http, the SDK's http Server) only carries requests to `handle`.

import type { Host, SettingsStore } from "../host.js";
import { ConfigError, type FlatConfig } from "./config.js";
import { certificateDer, certificateFingerprint } from "./pem.js";
import { decodeForm } from "./form-encoding.js";
import { checkSettings, KEPT_WHEN_EMPTY, SETTING_LABELS } from "./settings-command.js";
import { readStoredSettings, resolveSettings, SECRET_KEYS, SETTING_KEYS, writeStoredSettings, type SettingKey, type StoredSettings } from "./settings.js";
import { confirmPage, formPage, messagePage } from "./set-up-page.js";
import { chooseAccessPoint, type AccessPoint } from "./wifi-link.js";

/** The set-up access point: its SSID and WPA2 passphrase, made once per device and kept. */
export interface AccessPointCredentials {
  readonly ssid: string;
  readonly passphrase: string;
}

/** The store key of the access point's credentials; apart from the settings, so a factory reset keeps the label right. */
export const ACCESS_POINT_RECORD = "setup_ap";

/** 32 symbols without 0/O and 1/I, so a label read by eye is typed right; a byte's low 5 bits pick one, evenly. */
const SYMBOLS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

function symbols(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += SYMBOLS[byte & 31];
  return text;
}

/**
 * The device's set-up access point: read from the store, or made from the host's random source
 * at the first boot that needs it and stored (ETSI EN 303 645 provision 5.1: unique per device,
 * never a shared default). 16 symbols of 5 bits: 80 bits, in groups of 4 for the label.
 */
export function accessPointCredentials(store: SettingsStore, host: Pick<Host, "randomBytes">): { credentials: AccessPointCredentials; created: boolean } {
  const text = store.get(ACCESS_POINT_RECORD);
  if (text !== undefined) {
    try {
      const parsed = JSON.parse(text) as Partial<AccessPointCredentials>;
      if (typeof parsed.ssid === "string" && typeof parsed.passphrase === "string" && /^[\x20-\x7e]{8,63}$/.test(parsed.passphrase)) {
        return { credentials: { ssid: parsed.ssid, passphrase: parsed.passphrase }, created: false };
      }
    } catch {
      // Damaged: a new pair is made below, and printed for a new label.
    }
  }
  const secret = symbols(host.randomBytes(16));
  const passphrase = secret.match(/.{4}/g)!.join("-");
  const credentials = { ssid: `Appliance-Setup-${symbols(host.randomBytes(4))}`, passphrase };
  store.set(ACCESS_POINT_RECORD, JSON.stringify(credentials));
  return { credentials, created: true };
}

/** `provision_after_s`: a stored network that has not been joined for this long opens the set-up access point (default 300; 0: never). */
export function provisionAfterMs(config: FlatConfig): number {
  const given = config.provision_after_s;
  if (given === undefined || given === null || given === "") return 300_000;
  const text = String(given).trim();
  if (!/^\d+$/.test(text) || Number(text) > 86_400 || (Number(text) > 0 && Number(text) < 30)) {
    throw new ConfigError("provision_after_s", `"${text}" is not a whole number of seconds from 30 to 86400 (or 0: never): e.g. provision_after_s=300`);
  }
  return Number(text) * 1000;
}

/**
 * Why the device must be provisioned at this boot, or undefined when it can run: the set-up
 * button held (`buttonHeld`), or settings that cannot work (the same checks as the settings
 * command; on a board, no Wi-Fi network).
 */
export function provisioningCause(settings: FlatConfig, { buttonHeld = false, needsWifi = false }: { buttonHeld?: boolean; needsWifi?: boolean } = {}): string | undefined {
  if (buttonHeld) return "the set-up button was held at boot";
  if (needsWifi && !settings.ssid) return "no Wi-Fi network is set (ssid)";
  try {
    checkSettings(settings);
  } catch (error) {
    if (error instanceof ConfigError) return `the settings cannot be used: ${error.message}`;
    throw error;
  }
  return undefined;
}

export interface SetUpRequest {
  method: string;
  /** The request target's path, query included. */
  path: string;
  /** The body as text (a form's urlencoded fields); "" for none. */
  body: string;
}

export interface SetUpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Run by the HTTP adapter once the response has gone out (the restart after storing). */
  after?: () => void;
}

export interface SetUpPageOptions {
  host: Pick<Host, "randomBytes" | "digest">;
  store: SettingsStore;
  /** The firmware's own config: what a setting left empty falls back to. */
  manifest: FlatConfig;
  deviceName: string;
  /**
   * The networks in range from the runtime's last scan. Answers are synchronous (the SDK's HTTP
   * server asks for its response in a callback), so a scan is asked for with `rescan` and its
   * result shown at the next load.
   */
  networks(): readonly AccessPoint[];
  /** Starts a new scan, where the runtime can scan while its access point is up. */
  rescan?(): void;
  /** Restarts the device on the stored settings. */
  restart(): void;
  log(event: string, detail: string): void;
}

/** Largest form accepted: a CA chain in PEM is a few KB; the adapters refuse bigger bodies before reading them. */
export const MAX_FORM_BYTES = 32_768;

const HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  // Nothing of the page may be kept: it has held the device's account.
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A ConfigError's problem without the `config key "x": ` prefix: the page names the field itself. */
function problem(error: ConfigError): string {
  const prefix = `config key "${error.key}": `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

export class SetUpPage {
  readonly #options: SetUpPageOptions;
  /** Proves a submission came from a page this device served (a page of another site cannot read it). */
  readonly #formToken: string;
  #seen: readonly AccessPoint[] = [];
  /** Checked settings waiting for the person's confirmation, by their own token. */
  #pending: { token: string; settings: StoredSettings } | undefined;
  #stored = false;

  constructor(options: SetUpPageOptions) {
    this.#options = options;
    this.#formToken = hex(options.host.randomBytes(16));
  }

  handle(request: SetUpRequest): SetUpResponse {
    const path = request.path.split("?")[0];
    if (path !== "/" && path !== "/check" && path !== "/store") return this.#answer(404, messagePage("Not found", `There is no page ${path} here: the set-up page is /.`));
    if (this.#stored) return this.#answer(409, messagePage("Stored", "The settings are stored and the device is restarting on them."));
    if (path === "/") {
      if (request.method !== "GET" && request.method !== "HEAD") return this.#answer(405, messagePage("Not allowed", "Open the page with GET."), { allow: "GET" });
      if (request.path.includes("scan")) this.#options.rescan?.();
      return this.#answer(200, this.#form({}));
    }
    if (request.method !== "POST") return this.#answer(405, messagePage("Not allowed", "Send the form with POST."), { allow: "POST" });
    let fields: Map<string, string[]>;
    try {
      fields = decodeForm(request.body);
    } catch {
      return this.#answer(400, messagePage("Not readable", "The form did not arrive as UTF-8 text: send it again from the page."));
    }
    const token = fields.get("token")?.[0] ?? "";
    if (path === "/check") {
      if (token !== this.#formToken) return this.#answer(403, messagePage("Refused", "This form was not served by this device (or the device restarted since): open the set-up page again."));
      return this.#check(fields);
    }
    const pending = this.#pending;
    if (!pending || token !== pending.token) return this.#answer(403, messagePage("Refused", "Nothing checked is waiting to be stored: fill in the form again."));
    return this.#store(pending.settings);
  }

  #answer(status: number, body: string, extra: Record<string, string> = {}): SetUpResponse {
    return { status, headers: { ...HEADERS, ...extra }, body };
  }

  #current(): { stored: StoredSettings; resolved: FlatConfig } {
    const stored = readStoredSettings(this.#options.store);
    return { stored, resolved: resolveSettings(stored, this.#options.manifest) };
  }

  #form(values: Partial<Record<SettingKey, string>>, error?: { key: string; text: string }): string {
    const { resolved } = this.#current();
    // The list the form offers is the one its submission is checked against.
    if (error === undefined || this.#seen.length === 0) this.#seen = this.#options.networks();
    const shown: Partial<Record<SettingKey, string>> = {};
    for (const key of SETTING_KEYS) {
      if ((SECRET_KEYS as readonly string[]).includes(key) || key === "ca") continue;
      const value = values[key] ?? resolved[key];
      if (typeof value === "string" && value !== "") shown[key] = value;
    }
    // A CA typed or uploaded is shown again after a refusal of another field (it is public); the one in force never is.
    if (values.ca) shown.ca = values.ca;
    const kept = KEPT_WHEN_EMPTY.filter((key) => typeof resolved[key] === "string" && resolved[key] !== "");
    const builtInCa = typeof resolved.ca === "string" && resolved.ca !== "" && !resolved.ca.startsWith("-----");
    return formPage({ deviceName: this.#options.deviceName, seen: this.#seen, values: shown, kept, builtInCa, token: this.#formToken, error });
  }

  #check(fields: Map<string, string[]>): SetUpResponse {
    const { stored, resolved } = this.#current();
    const given: Partial<Record<SettingKey, string>> = {};
    const next: StoredSettings = { ...stored };
    for (const key of SETTING_KEYS) {
      const value = (fields.get(key) ?? []).join(key === "ca" ? "\n" : "").trim();
      given[key] = value;
      if (value === "" && KEPT_WHEN_EMPTY.includes(key)) continue;
      next[key] = value;
    }
    const refuse = (key: string, text: string) => {
      this.#options.log("set-up", `refused: ${key}: ${text}`);
      return this.#answer(400, this.#form(given, { key, text }));
    };
    if (this.#seen.length === 0) this.#seen = this.#options.networks();
    if (!given.ssid) return refuse("ssid", "choose the network the device is to join");
    const choice = chooseAccessPoint(this.#seen, given.ssid);
    if (typeof choice === "string") return refuse("ssid", choice.replace(/; check the ssid key/, ""));
    let fingerprint: string | undefined;
    try {
      checkSettings(resolveSettings(next, this.#options.manifest));
      if (given.ca) fingerprint = certificateFingerprint(this.#options.host, certificateDer(given.ca));
    } catch (error) {
      if (error instanceof ConfigError) return refuse(error.key, problem(error));
      throw error;
    }
    const token = hex(this.#options.host.randomBytes(16));
    this.#pending = { token, settings: next };
    const after = resolveSettings(next, this.#options.manifest);
    const shown = (key: SettingKey) => String(after[key] ?? "");
    const secret = (key: SettingKey) => (given[key] ? "given (not shown)" : "unchanged (not shown)");
    const rows: [string, string][] = [
      [SETTING_LABELS.ssid, `${shown("ssid")} (${choice.authentication})`],
      [SETTING_LABELS.password, secret("password")],
      [SETTING_LABELS.jid, shown("jid")],
      [SETTING_LABELS.xmpp_password, secret("xmpp_password")],
      [SETTING_LABELS.server, shown("server") || "the JID's domain, port 5222"],
      [SETTING_LABELS.owner, shown("owner")],
    ];
    if (!fingerprint) rows.push([SETTING_LABELS.ca, typeof resolved.ca === "string" && resolved.ca !== "" ? "the one in use, unchanged" : "none"]);
    return this.#answer(200, confirmPage({ deviceName: this.#options.deviceName, token, rows, fingerprint }));
  }

  #store(settings: StoredSettings): SetUpResponse {
    try {
      writeStoredSettings(this.#options.store, settings);
    } catch (error) {
      return this.#answer(500, messagePage("Not stored", `The settings could not be stored (${(error as Error).message}); nothing was changed. Send them again.`));
    }
    this.#pending = undefined;
    this.#stored = true;
    const keys = SETTING_KEYS.filter((key) => settings[key] !== undefined).join(", ");
    this.#options.log("set-up", `stored ${keys}; restarting`);
    const response = this.#answer(200, messagePage("Stored", `The settings are stored. The device restarts now, joins ${settings.ssid ?? "its network"} and logs in as ${settings.jid ?? "its account"}; this access point closes.`));
    response.after = () => this.#options.restart();
    return response;
  }
}
