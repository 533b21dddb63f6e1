// The `wifi` module of the simulator build: the SDK's own simulated module reports a fixed list
// of someone else's networks, so this one, with the same shape as the ESP32's, reports the
// networks of the `sim_wifi` key ("ssid:authentication:rssi,..."). By default it is the
// configured network twice, WPA2 and open (the open twin stronger), and a neighbour's, so the
// join policy's choice by security and BSSID is exercised on every simulated boot. An entry with
// an empty SSID is a hidden network. With `sim_wifi_password`, a join with another password is
// refused with the ESP32's "password rejected" reason (-1).

import config from "mc/config";
import Timer from "timer";
import { simulatedNetworks } from "./networks.js";

type Message = "connect" | "gotIP" | "lostIP" | "disconnect";
/** The ESP32 SDK's disconnect reason for a rejected passphrase. */
const PASSWORD_REJECTED = -1;

interface Network {
  ssid: string;
  authentication: string;
  rssi: number;
  bssid: ArrayBuffer;
}

function networks(): Network[] {
  return simulatedNetworks(config.sim_wifi, String(config.ssid ?? "")).map(({ ssid, authentication, rssi, index }) => ({
    ssid,
    authentication,
    rssi,
    bssid: new Uint8Array([0x02, 0x00, 0x5e, 0x10, 0x00, index]).buffer,
  }));
}

function hex(buffer: ArrayBuffer | undefined): string {
  if (!buffer) return "any";
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join(":");
}

let current: WiFi | undefined;
let mode = 0;

export default class WiFi {
  static readonly gotIP = "gotIP";
  static readonly lostIP = "lostIP";
  static readonly connected = "connect";
  static readonly disconnected = "disconnect";
  static readonly Mode = Object.freeze({ off: -5, none: 0, station: 1, accessPoint: 2 });
  // Accessors over a module variable, not a static field: the module is preloaded, and a
  // preloaded class's own properties cannot be written.
  static get mode(): number {
    return mode;
  }
  static set mode(value: number) {
    mode = value;
  }

  #onNotify: ((message: Message, reason?: number) => void) | undefined;
  #timer: Timer | undefined;

  constructor(options?: { ssid: string; password?: string; bssid?: ArrayBuffer }, onNotify?: (message: Message, reason?: number) => void) {
    this.#onNotify = onNotify;
    current = this;
    if (options) WiFi.connect(options);
  }

  close(): void {
    if (this.#timer) Timer.clear(this.#timer);
    this.#timer = undefined;
    this.#onNotify = undefined;
    if (current === this) current = undefined;
  }

  static scan(_options: object, callback: (item: Network | null) => void): void {
    const found = networks();
    Timer.set(() => {
      for (const network of found) callback({ ...network });
      callback(null);
    }, 300);
  }

  static connect(options?: { ssid: string; password?: string; bssid?: ArrayBuffer }): void {
    const instance = current;
    if (!options) {
      if (instance) instance.#after(0, () => instance.#onNotify?.(WiFi.disconnected));
      return;
    }
    const bssid = options.bssid ? hex(options.bssid) : undefined;
    const network = networks().find((n) => n.ssid === options.ssid && (bssid === undefined || hex(n.bssid) === bssid));
    trace(`sim wifi: join "${options.ssid}" bssid ${bssid ?? "any"}${network ? ` (${network.authentication})` : " (not in range)"}\n`);
    if (!instance || !network || options.password === "invalid!") return;
    const expected = config.sim_wifi_password;
    if (typeof expected === "string" && expected !== "" && options.password !== expected) {
      // As the ESP32 reports it once its own retries are spent.
      instance.#after(500, () => instance.#onNotify?.(WiFi.disconnected, PASSWORD_REJECTED));
      return;
    }
    instance.#after(200, () => {
      instance.#onNotify?.(WiFi.connected);
      instance.#after(200, () => instance.#onNotify?.(WiFi.gotIP));
    });
  }

  /** The set-up access point: simulated (the desktop's browser reaches the page on loopback), traced without its passphrase. */
  static accessPoint(options: { ssid: string; password?: string; station?: boolean }): void {
    const secured = typeof options.password === "string" && options.password.length >= 8;
    trace(`sim wifi: access point "${options.ssid}" open to join (${secured ? "WPA2-PSK" : "open"}; simulated: the page is on the desktop's loopback)\n`);
    mode = options.station ? WiFi.Mode.station | WiFi.Mode.accessPoint : WiFi.Mode.accessPoint;
  }

  static disconnect(): void {
    WiFi.connect();
  }

  /** The simulation's own: the access point goes away under a joined link (the soak drops Wi-Fi with it). */
  static simulateLoss(): void {
    const instance = current;
    if (instance) instance.#after(0, () => instance.#onNotify?.(WiFi.disconnected));
  }

  #after(ms: number, callback: () => void): void {
    if (this.#timer) Timer.clear(this.#timer);
    this.#timer = Timer.set(() => {
      this.#timer = undefined;
      callback();
    }, ms);
  }
}
