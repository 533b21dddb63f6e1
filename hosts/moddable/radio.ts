// The Wi-Fi radio the core's join policy (src/app/wifi-link.ts) drives, over the SDK's `wifi`
// module: the ESP32's own, or the simulated one the simulator build maps in its place.

import Net from "net";
import WiFi from "appliance/wifi";
import type { AccessPoint, Radio } from "../../src/app/wifi-link.js";

/** How long a join may take, from connect to an IP address. */
const JOIN_MS = 20_000;

/**
 * The reason the SDK's ESP32 wifi passes with "disconnect" (modules/network/wifi/esp32/xs6wifi.c):
 * -1 when the access point rejected the passphrase (MIC failure or a 4-way or group-key handshake
 * that timed out, after the SDK's own retries), 0 for anything else. The simulated radio does the same.
 */
const PASSWORD_REJECTED = -1;

export function createRadio(setTimeout: (callback: () => void, ms: number) => unknown, clearTimeout: (timer: unknown) => void): Radio {
  let monitor: WiFi | undefined;
  const radio: Radio = {
    onLost: undefined,
    scan() {
      return new Promise((resolve, reject) => {
        const seen: AccessPoint[] = [];
        try {
          if (WiFi.mode !== WiFi.Mode.station) WiFi.mode = WiFi.Mode.station;
          // Hidden networks too, so that the join policy can say one is there (with an empty SSID).
          WiFi.scan({ hidden: true }, (item) => {
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
          reject(
            new Error(
              `no IP address within ${JOIN_MS / 1000} s: the access point is out of reach or did not let the board in ` +
                `(an enterprise (802.1X) or OWE network shows as wpa_wpa2_psk in the ESP32's scan and cannot be joined with a passphrase; a DHCP server must answer)`,
            ),
          );
        }, JOIN_MS);
        // Joined by BSSID: the access point that was checked is the one joined, never an open twin with the same SSID.
        const options = { ssid: accessPoint.ssid, password, bssid: accessPoint.bssid as ArrayBuffer };
        // The SDK's typings leave out the reason that comes with "disconnect".
        const notify = (message: string, reason?: number) => {
          if (message === WiFi.disconnected && !settled && reason === PASSWORD_REJECTED) {
            settled = true;
            clearTimeout(timer);
            monitor?.close();
            monitor = undefined;
            WiFi.disconnect();
            reject(new Error(`"${accessPoint.ssid}" rejected the password (the WPA handshake failed): check the password key`));
            return;
          }
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
        };
        monitor = new WiFi(options, notify as (message: string) => void);
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
