// Joins the configured Wi-Fi network and keeps it joined: scans first and refuses an access
// point that offers less than WPA2 (the ESP32's own connect accepts any security mode), joins
// the strongest acceptable one by BSSID, retries with backoff, and rejoins when the link drops.

import type { Host, TimerHandle } from "../host.js";
import { Backoff, type BackoffOptions } from "../xmpp/reconnect.js";

/** One access point from a scan, as the SDK's `WiFi.scan` reports it. */
export interface AccessPoint {
  readonly ssid: string;
  /** The SDK's names: "none", "wep", "wpa_psk", "wpa2_psk", "wpa_wpa2_psk", "wpa3_psk", "wpa2_wpa3_psk", "wpa2_enterprise"... */
  readonly authentication: string;
  readonly rssi: number;
  /** Opaque to the core: handed back to `join` to pick this access point. */
  readonly bssid: unknown;
}

/** The radio a runtime gives the core (the SDK's `wifi` module on ESP32, a simulation elsewhere). */
export interface Radio {
  scan(): Promise<readonly AccessPoint[]>;
  /** Joins `accessPoint`; resolves once an IP address is assigned, rejects with the reason otherwise. */
  join(accessPoint: AccessPoint, password: string): Promise<void>;
  /** Called once per join when that link is lost (disconnect or lost IP). */
  onLost: (() => void) | undefined;
  leave(): void;
}

/** Security modes that offer WPA2 or better; anything else, unknown names included, is refused. */
const WPA2_OR_BETTER = new Set(["wpa2_psk", "wpa_wpa2_psk", "wpa3_psk", "wpa2_wpa3_psk", "wpa2_enterprise", "wpa3_enterprise", "owe"]);

export function offersWpa2(authentication: string): boolean {
  return WPA2_OR_BETTER.has(authentication.toLowerCase());
}

export type WifiEvent = "wifi scanning" | "wifi joining" | "wifi up" | "wifi down" | "wifi refused" | "wifi retrying";

export interface WifiLinkOptions {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "randomBytes" | "now">;
  radio: Radio;
  ssid: string;
  password: string;
  onEvent(event: WifiEvent, detail: string): void;
  /** Called each time the link comes up (the first time and after every rejoin). */
  onUp?(): void;
  /** Called each time an established link is lost. */
  onDown?(): void;
  /** Delays between attempts (default 2 s doubling up to 60 s). */
  backoff?: BackoffOptions;
  /**
   * With `onFailing`: the link has been down this long (never joined since start, or lost and not
   * rejoined) and keeps failing: `onFailing` is called once per outage (provision_after_s); 0: never.
   */
  failingMs?: number;
  onFailing?(why: string): void;
}

/**
 * Modes that pass the WPA2 floor but need what this firmware has no settings for: 802.1X
 * credentials (enterprise) or OWE's unauthenticated key exchange. Where a scan names them they
 * are refused; the ESP32's scan reports both as wpa_wpa2_psk, so there the join fails instead.
 */
function unsupportedMode(authentication: string): boolean {
  const mode = authentication.toLowerCase();
  return mode.includes("enterprise") || mode === "owe";
}

/** Picks the access point to join, or says why there is none. */
export function chooseAccessPoint(seen: readonly AccessPoint[], ssid: string): AccessPoint | string {
  const named = seen.filter((ap) => ap.ssid === ssid);
  if (named.length === 0) {
    const others = [...new Set(seen.map((ap) => ap.ssid).filter((name) => name !== ""))].slice(0, 8);
    const hidden = seen.filter((ap) => ap.ssid === "").length;
    // A hidden network answers the scan without its name: nothing can tell which one is "ssid".
    const hiddenNote = hidden
      ? `; ${hidden === 1 ? "1 access point in range hides its SSID" : `${hidden} access points in range hide their SSIDs`}, and a hidden network never matches the scan: make the access point broadcast its SSID`
      : "";
    return `no network named "${ssid}" in range${others.length ? ` (seen: ${others.join(", ")})` : ""}; check the ssid key${hiddenNote}`;
  }
  const floor = named.filter((ap) => offersWpa2(ap.authentication));
  const acceptable = floor.filter((ap) => !unsupportedMode(ap.authentication)).sort((a, b) => b.rssi - a.rssi);
  if (acceptable.length === 0) {
    if (floor.length > 0) {
      const modes = [...new Set(floor.map((ap) => ap.authentication))].join(", ");
      return `refusing to join "${ssid}": it offers ${modes}, which needs enterprise (802.1X) credentials or OWE that this firmware cannot use; use a WPA2 or WPA3-Personal network (a passphrase)`;
    }
    const modes = [...new Set(named.map((ap) => ap.authentication))].join(", ");
    return `refusing to join "${ssid}": it offers ${modes}, less than WPA2; set the access point to WPA2 or WPA3`;
  }
  return acceptable[0]!;
}

export class WifiLink {
  readonly #options: WifiLinkOptions;
  readonly #backoff: Backoff;
  #timer: TimerHandle | undefined;
  #up = false;
  #stopped = false;
  #firstUp: (() => void) | undefined;
  /** When the link went down (or start), for failingMs; undefined while up or once reported. */
  #downSince: number | undefined;

  constructor(options: WifiLinkOptions) {
    if (!options.ssid) throw new TypeError("WifiLink needs the ssid of the network to join");
    this.#options = options;
    this.#backoff = new Backoff(options.host, options.backoff ?? { initialMs: 2_000, maxMs: 60_000 });
  }

  get up(): boolean {
    return this.#up;
  }

  /** Resolves once the link is up for the first time; keeps trying until then (or stop()). */
  start(): Promise<void> {
    this.#stopped = false;
    this.#downSince = this.#options.host.now();
    return new Promise((resolve) => {
      this.#firstUp = resolve;
      void this.#attempt();
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.host.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#options.radio.onLost = undefined;
    this.#options.radio.leave();
    this.#up = false;
  }

  async #attempt(): Promise<void> {
    const { radio, ssid, password, onEvent } = this.#options;
    if (this.#stopped) return;
    let why: string;
    try {
      onEvent("wifi scanning", `for "${ssid}"`);
      const choice = chooseAccessPoint(await radio.scan(), ssid);
      if (typeof choice === "string") {
        onEvent(choice.startsWith("refusing") ? "wifi refused" : "wifi down", choice);
        why = choice;
      } else {
        onEvent("wifi joining", `"${ssid}" (${choice.authentication}, ${choice.rssi} dBm)`);
        radio.onLost = () => this.#lost();
        await radio.join(choice, password);
        if (this.#stopped) return;
        this.#up = true;
        this.#downSince = undefined;
        this.#backoff.reset();
        onEvent("wifi up", `"${ssid}"`);
        this.#options.onUp?.();
        this.#firstUp?.();
        this.#firstUp = undefined;
        return;
      }
    } catch (error) {
      why = error instanceof Error ? error.message : String(error);
      onEvent("wifi down", why);
    }
    this.#retry(why);
  }

  #lost(): void {
    if (this.#stopped || !this.#up) return;
    this.#up = false;
    this.#downSince = this.#options.host.now();
    this.#options.radio.onLost = undefined;
    this.#options.onEvent("wifi down", `lost "${this.#options.ssid}"`);
    this.#options.onDown?.();
    this.#retry("link lost");
  }

  #retry(why: string): void {
    if (this.#stopped) return;
    const { failingMs = 0, onFailing, host } = this.#options;
    if (onFailing && failingMs > 0 && this.#downSince !== undefined && host.now() - this.#downSince >= failingMs) {
      this.#downSince = undefined;
      onFailing(`"${this.#options.ssid}" has not been joined for ${Math.round(failingMs / 1000)} s (provision_after_s): ${why}`);
      if (this.#stopped) return;
    }
    const delay = this.#backoff.next();
    this.#options.onEvent("wifi retrying", `${why}; next attempt in ${Math.round(delay / 100) / 10} s`);
    this.#timer = this.#options.host.setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt();
    }, delay);
  }
}
