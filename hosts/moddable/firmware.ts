// The firmware on the Moddable SDK ("appliance/firmware", preloaded: its code and objects stay in
// flash), started by the entry module hosts/moddable/main.js, for ESP32 boards and the simulator:
// config from the manifest (mc/config), the device declaration checked before any pin is opened,
// Wi-Fi joined under the WPA2 floor, the clock set from SNTP, then the appliance logs in over
// STARTTLS and serves its owners. Every step traces one line ("event detail") for xsbug or a
// serial console.

import config from "mc/config";
import Resource from "Resource";
import Time from "time";
import platform from "appliance/platform";
import { Appliance } from "../../src/app/appliance.js";
import { ConfigError, readConnectionConfig, type ConnectionConfig } from "../../src/app/config.js";
import { setClock } from "../../src/app/sntp.js";
import { sntpSources, type SntpSource } from "../../src/app/sntp-sources.js";
import { WifiLink } from "../../src/app/wifi-link.js";
import { createChangeableDevice, readyLine } from "../../src/app/appliance-device.js";
import { declaredPins } from "../../src/device/board-pins.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { DeclarationError } from "../../src/device/declaration-error.js";
import type { DeviceDeclaration } from "../../src/device/types.js";
import type { Host } from "../../src/host.js";
import { WallClock } from "./clock.js";
import { createModdableHost } from "./host.js";
import { MemoryProbe } from "./memory.js";
import { PreferenceStore } from "./preference-store.js";
import { esp32Profile } from "./platform.js";
import { createRadio, routerAddress } from "./radio.js";
import { querySntp } from "./sntp.js";

function log(event: string, detail = ""): void {
  trace(`${event.padEnd(13)} ${detail}`.trimEnd() + "\n");
}

interface Settings {
  declaration: DeviceDeclaration;
  connection: ConnectionConfig;
  ca: ArrayBuffer;
  /** The `sntp` key as given (checked), or undefined. */
  sntp: string | undefined;
  /** The `sntp_pool` key: the last SNTP source ("" for none). */
  sntpPool: string;
}

/** Everything the manifest says, checked whole before anything is opened. */
function read(): Settings {
  const declaration = readDeviceDeclaration(config.device, "manifest");
  const connection = readConnectionConfig(config);
  let ca: ArrayBuffer;
  try {
    ca = new Resource(connection.ca).slice(0);
  } catch {
    throw new ConfigError(
      "ca",
      `no resource named "${connection.ca}" in this build: build with the project's script (npm run sim / npm run esp32), which turns the PEM file given as ca=<path> into the resource ca.der`,
    );
  }
  if (new Uint8Array(ca)[0] !== 0x30) throw new ConfigError("ca", `resource "${connection.ca}" is not a DER certificate`);
  if (!config.ssid && platform.name !== "simulator") throw new ConfigError("ssid", "missing: the Wi-Fi network to join, e.g. ssid=Home password=secret");
  // hosts/moddable/manifest.json sets sntp to "" over the SDK's "pool.ntp.org": the list of
  // sources (src/app/sntp-sources.ts) ends with pool.ntp.org anyway. Checked here, before anything opens.
  const sntp = typeof config.sntp === "string" && config.sntp !== "" ? config.sntp : undefined;
  const sntpPool = typeof config.sntp_pool === "string" ? config.sntp_pool : "pool.ntp.org";
  sntpSources({ configured: sntp, hub: connection.server.host, pool: sntpPool });
  return { declaration, connection, ca, sntp, sntpPool };
}

/** Joins Wi-Fi; resolves with the link (undefined in the simulator without an ssid). `onUp` runs at every rejoin. */
async function joinWifi(host: Host, onUp: () => void): Promise<WifiLink | undefined> {
  const ssid = typeof config.ssid === "string" ? config.ssid : "";
  // Only the simulator gets here without one (read() checked): it uses the desktop's network.
  if (!ssid) {
    log("wifi", "no ssid: the simulator uses the desktop's network");
    return undefined;
  }
  const link = new WifiLink({
    host,
    radio: createRadio(host.setTimeout, host.clearTimeout),
    ssid,
    password: typeof config.password === "string" ? config.password : "",
    onEvent: log,
    onUp,
  });
  await link.start();
  return link;
}

async function syncClock(host: Host, wall: WallClock, sources: readonly SntpSource[]): Promise<void> {
  const clock = setClock({
    host,
    sources,
    query: (source) => querySntp(source.endpoint),
    wallClock: () => wall.now(),
    setClock: (ms) => wall.set(ms),
    onEvent: log,
  });
  await clock.done;
}

async function run(): Promise<void> {
  let settings: Settings;
  try {
    settings = read();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DeclarationError) {
      log("error", `${error.message}; fix the manifest or the mcconfig line and rebuild`);
      return;
    }
    throw error;
  }
  const { declaration, connection, ca, sntp, sntpPool } = settings;
  const memory = config.memory_report ? new MemoryProbe(log) : undefined;
  const profile = esp32Profile(config);
  // Time.set does nothing in the simulator: on the ESP32 profile the clock is an offset from 1970.
  const wall = new WallClock(() => Date.now(), profile ? undefined : (ms) => Time.set(Math.floor(ms / 1000)));
  const host = createModdableHost({ ca, wallClock: () => wall.now() });
  const board = typeof config.board === "string" ? config.board : undefined;
  const pinMap = platform.pinMap(config);
  let served: ReturnType<typeof createChangeableDevice>;
  try {
    served = createChangeableDevice(
      {
        builtIn: declaration,
        host,
        openPins: (declared) => platform.createPins({ drivers: declared.drivers, sensors: declared.sensors, host, config, log }),
        store: new PreferenceStore(),
        board: pinMap
          ? { pins: pinMap, name: board ?? "this board (config.pins)" }
          : { pins: declaredPins(declaration), name: `this ${platform.name} (the pins of the manifest's declaration)` },
      },
      log,
    );
  } catch (error) {
    // A pin the board does not have, or cannot drive (the pins opened so far were closed again).
    log("error", `cannot open the device's pins: ${(error as Error).message}`);
    return;
  }
  const { device, attach } = served;
  const on = profile ? " (ESP32 profile: fixed heaps, clock from 1970, the ESP32's ADC range)" : "";
  log("ready", readyLine(device.declaration, ` on ${platform.name}${board ? ` (${board})` : ""}${on}`));
  memory?.phase("boot");
  let appliance: Appliance | undefined;
  // No XMPP connect is started while Wi-Fi is down; a rejoin starts the one held back.
  const link = await joinWifi(host, () => appliance?.networkUp());
  await syncClock(host, wall, sntpSources({ configured: sntp, hub: connection.server.host, gateway: routerAddress(), pool: sntpPool }));
  memory?.phase("login");
  appliance = new Appliance({
    host,
    config: connection,
    device,
    // Read at each outage: a new declaration brings its own grace_s.
    get graceMs() {
      return device.declaration.graceMs;
    },
    changeDeclaration: (text) => device.change(text),
    runtime: platform.name,
    networkUp: link ? () => link.up : undefined,
    onEvent: (event, detail) => {
      log(event, detail);
      if (!memory) return;
      memory.sample();
      if (event === "online") memory.phase("commands");
      // Reported once the command has been carried out and answered.
      else if (event === "message" || event === "command") host.setTimeout(() => memory.report(), 500);
    },
  });
  attach(appliance);
  try {
    await appliance.start();
  } catch (error) {
    device.close();
    log("error", (error as Error).message);
  }
}

export default function start(): void {
  run().catch((error: unknown) => log("error", `unexpected: ${(error as Error)?.stack ?? String(error)}`));
}
