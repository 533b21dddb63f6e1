// The Wi-Fi radio the core's join policy (src/app/wifi-link.ts) drives, over the SDK's `wifi`
// module: the ESP32's own, or the simulated one the simulator build maps in its place.

import Net from "net";
import WiFi from "appliance/wifi";
import type { AccessPoint, Radio } from "../../src/app/wifi-link.js";

/** How long a join may take, from connect to an IP address. */
const JOIN_MS = 20_000;

export function createRadio(setTimeout: (callback: () => void, ms: number) => unknown, clearTimeout: (timer: unknown) => void): Radio {
  let monitor: WiFi | undefined;
  const radio: Radio = {
    onLost: undefined,
    scan() {
      return new Promise((resolve, reject) => {
        const seen: AccessPoint[] = [];
        try {
          if (WiFi.mode !== WiFi.Mode.station) WiFi.mode = WiFi.Mode.station;
          WiFi.scan({}, (item) => {
            if (item) seen.push({ ssid: item.ssid, authentication: item.authentication ?? "unknown", rssi: item.rssi, bssid: item.bssid });
            else resolve(seen);
          });
        } catch (error) {
          reject(new Error(`scan failed: ${(error as Error).message}`));
        }
      });
    },
    join(accessPoint, password) {
      return new Promise((resolve, reject) => {
        monitor?.close();
        let settled = false;
        const timer = setTimeout(() => {
          if (settled) return;
          settled = true;
          monitor?.close();
          monitor = undefined;
          WiFi.disconnect();
          reject(new Error(`no IP address within ${JOIN_MS / 1000} s (wrong password, or the access point is out of reach)`));
        }, JOIN_MS);
        // Joined by BSSID: the access point that was checked is the one joined, never an open twin with the same SSID.
        const options = { ssid: accessPoint.ssid, password, bssid: accessPoint.bssid as ArrayBuffer };
        monitor = new WiFi(options, (message) => {
          if (message === WiFi.gotIP) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve();
          } else if (message === WiFi.disconnected || message === WiFi.lostIP) {
            if (!settled) return; // a failed attempt: the timer reports it
            const lost = radio.onLost;
            radio.onLost = undefined;
            lost?.();
          }
        });
      });
    },
    leave() {
      monitor?.close();
      monitor = undefined;
      WiFi.disconnect();
    },
  };
  return radio;
}

/**
 * The Wi-Fi router's address as far as the SDK tells: it reports no gateway, but on a home
 * network the DNS server that DHCP hands out is the router. Undefined where it says nothing (lin).
 */
export function routerAddress(): string | undefined {
  try {
    const servers = (Net.get as (property: string) => unknown)("DNS");
    const first = Array.isArray(servers) ? servers[0] : undefined;
    return typeof first === "string" && first !== "0.0.0.0" ? first : undefined;
  } catch {
    return undefined;
  }
}
