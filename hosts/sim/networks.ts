// The simulated radio's networks from the `sim_wifi` key ("ssid:authentication:rssi,..."), for
// the simulator's `wifi` module and the desktop device's set-up page alike. An entry with an
// empty SSID is a hidden network.

export interface SimulatedNetwork {
  ssid: string;
  authentication: string;
  rssi: number;
  /** 1, 2, ...: the last byte of the made-up BSSID. */
  index: number;
}

/** By default the configured network twice, WPA2 and a stronger open twin, and a neighbour's. */
export function simulatedNetworks(spec: unknown, ssid: string): SimulatedNetwork[] {
  const text = typeof spec === "string" && spec !== "" ? spec : `${ssid}:wpa2_psk:-58,${ssid}:none:-41,Neighbour:wpa2_psk:-77`;
  return text
    .split(",")
    .filter((entry) => entry.trim() !== "")
    .map((entry, index) => {
      const [name = "", authentication = "wpa2_psk", rssi = "-60"] = entry.split(":");
      return { ssid: name.trim(), authentication: authentication.trim(), rssi: Number(rssi), index: index + 1 };
    });
}
