// The firmware on the Moddable SDK ("appliance/firmware", preloaded: its code and objects stay in
// flash), started by the entry module hosts/moddable/main.js, for ESP32 boards and the simulator:
// config from the manifest (mc/config), the device declaration checked before any pin is opened,
// Wi-Fi joined under the WPA2 floor, the clock set from SNTP, then the appliance logs in over
// STARTTLS and serves its owners. Settings that cannot work, the set-up button held at power-up or
// a stored network not joined for provision_after_s open the set-up access point and page instead
// (./set-up.ts). The settings stored on the device (Preference; the owner-only
// ad-hoc command `settings`) come before the manifest's; with an update key built in, it takes
// signed updates (the owner-only ad-hoc command `update`). Every step traces one line ("event detail") for xsbug or a
// serial console. A restart is the SDK's on a board; in the simulator the firmware runs again in
// the same process, after the simulated bootloader's step.

import config from "mc/config";
import Resource from "Resource";
import Time from "time";
import platform from "appliance/platform";
import { Appliance } from "../../src/app/appliance.js";
import { FirmwareUpdate, readUpdateTrialMs, updateCommand, type UpdateRuntime } from "../../src/app/firmware-update.js";
import { httpsGet } from "../../src/app/https-get.js";
import { ConfigError, readConnectionConfig, type ConnectionConfig, type FlatConfig } from "../../src/app/config.js";
import { readStoredSettings, resolveSettings } from "../../src/app/settings.js";
import { settingsCommand } from "../../src/app/settings-command.js";
import { SettingsTrial } from "../../src/app/settings-trial.js";
import { provisionAfterMs, provisioningCause } from "../../src/app/provisioning.js";
import { decodeBase64 } from "../../src/xmpp/sasl/base64.js";
import { setClock } from "../../src/app/sntp.js";
import { sntpSources, type SntpSource } from "../../src/app/sntp-sources.js";
import { WifiLink } from "../../src/app/wifi-link.js";
import { createChangeableDevice, readyLine } from "../../src/app/appliance-device.js";
import { declaredPins } from "../../src/device/board-pins.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { DeclarationError } from "../../src/device/declaration-error.js";
import type { DeviceDeclaration } from "../../src/device/types.js";
import type { Host, SettingsStore } from "../../src/host.js";
import { WallClock } from "./clock.js";
import { createModdableHost } from "./host.js";
import { MemoryProbe } from "./memory.js";
import { PreferenceStore } from "./preference-store.js";
import { esp32Profile, type FirmwarePartitions } from "./platform.js";
import { ecdsaVerifier, moddableSha256 } from "./update-runtime.js";
import { createRadio, routerAddress } from "./radio.js";
import { querySntp } from "./sntp.js";
import { openSetUp } from "./set-up.js";

function log(event: string, detail = ""): void {
  trace(`${event.padEnd(13)} ${detail}`.trimEnd() + "\n");
}

interface Settings {
  /** The Wi-Fi network and passphrase ("" without). */
  ssid: string;
  password: string;
  declaration: DeviceDeclaration;
  connection: ConnectionConfig;
  ca: ArrayBuffer;
  /** The `sntp` key as given (checked), or undefined. */
  sntp: string | undefined;
  /** The `sntp_pool` key: the last SNTP source ("" for none). */
  sntpPool: string;
  /** The check of an update's signature with the key built in (update_key); undefined: no updates. */
  verify: UpdateRuntime["verify"] | undefined;
  /** `update_trial_s`: how long an updated image has to come online before the previous one boots again. */
  trialMs: number;
  /** provision_after_s, in ms: a network not joined this long opens the set-up access point (0: never). */
  provisionAfterMs: number;
}

/** The public key updates must be signed with: the resource named by update_key, checked. */
function readUpdateKey(): UpdateRuntime["verify"] | undefined {
  const name = config.update_key;
  if (name === undefined || name === "") return undefined;
  if (typeof name !== "string") throw new ConfigError("update_key", "expected the name of the key's resource");
  let point: Uint8Array;
  try {
    point = new Uint8Array(new Resource(name).slice(0));
  } catch {
    throw new ConfigError(
      "update_key",
      `no resource named "${name}" in this build: build with the project's script (npm run sim / npm run esp32), which turns the PEM public key given as update_key=<path> into the resource update-key.bin`,
    );
  }
  try {
    return ecdsaVerifier(point);
  } catch (error) {
    throw new ConfigError("update_key", `resource "${name}" is ${(error as Error).message}`);
  }
}

/** The settings stored on the device (the settings command) over the manifest's; the manifest's alone, with a trace, when the stored record is damaged. */
function resolved(store: SettingsStore): FlatConfig {
  try {
    return resolveSettings(readStoredSettings(store), config);
  } catch (error) {
    log("error", `${(error as Error).message}; using the settings the firmware was built with`);
    return config;
  }
}

/** The CA's DER bytes: a stored PEM text (the settings command's), or the resource the build made. */
function readCa(ca: string): ArrayBuffer {
  const pem = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(ca);
  let der: ArrayBuffer;
  if (pem) {
    try {
      der = decodeBase64(pem[1]!.replace(/\s+/g, "")).slice().buffer as ArrayBuffer;
    } catch (error) {
      throw new ConfigError("ca", `the stored CA certificate is not valid PEM (${(error as Error).message}): send it again with the settings command`);
    }
  } else {
    try {
      der = new Resource(ca).slice(0);
    } catch {
      throw new ConfigError(
        "ca",
        `no resource named "${ca}" in this build: build with the project's script (npm run sim / npm run esp32), which turns the PEM file given as ca=<path> into the resource ca.der`,
      );
    }
  }
  if (new Uint8Array(der)[0] !== 0x30) throw new ConfigError("ca", pem ? "the stored CA certificate is not a DER certificate inside its PEM armour" : `resource "${ca}" is not a DER certificate`);
  return der;
}

/** Everything the settings say (stored, then the manifest's), checked whole before anything is opened. */
function read(settings: FlatConfig): Settings {
  const declaration = readDeviceDeclaration(config.device, "manifest");
  const connection = readConnectionConfig(settings);
  const ca = readCa(connection.ca);
  const ssid = typeof settings.ssid === "string" ? settings.ssid : "";
  const password = typeof settings.password === "string" ? settings.password : "";
  if (!ssid && platform.name !== "simulator") throw new ConfigError("ssid", "missing: the Wi-Fi network to join, e.g. ssid=Home password=secret");
  // hosts/moddable/manifest.json sets sntp to "" over the SDK's "pool.ntp.org": the list of
  // sources (src/app/sntp-sources.ts) ends with pool.ntp.org anyway. Checked here, before anything opens.
  const sntp = typeof config.sntp === "string" && config.sntp !== "" ? config.sntp : undefined;
  const sntpPool = typeof config.sntp_pool === "string" ? config.sntp_pool : "pool.ntp.org";
  sntpSources({ configured: sntp, hub: connection.server.host, pool: sntpPool });
  return { ssid, password, declaration, connection, ca, sntp, sntpPool, verify: readUpdateKey(), trialMs: readUpdateTrialMs(config.update_trial_s), provisionAfterMs: provisionAfterMs(config) };
}

/**
 * Joins Wi-Fi; resolves with the link (undefined in the simulator without an ssid). `onUp` runs at
 * every rejoin; `onFailing` once the network has not been joined for provision_after_s.
 */
async function joinWifi(host: Host, settings: Settings, onUp: () => void, onFailing: (why: string) => void): Promise<WifiLink | undefined> {
  const { ssid, password } = settings;
  // Only the simulator gets here without one (read() checked): it uses the desktop's network.
  if (!ssid) {
    log("wifi", "no ssid: the simulator uses the desktop's network");
    return undefined;
  }
  const link = new WifiLink({
    host,
    radio: createRadio(host.setTimeout, host.clearTimeout),
    ssid,
    password,
    onEvent: log,
    onUp,
    failingMs: settings.provisionAfterMs,
    onFailing,
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

/** What a restart in the simulator stops of the run before it. */
interface Run {
  stop(): void;
}

/** The set-up access point and page, until the settings are stored and the device restarts on them. */
async function setUp(cause: string, store: SettingsStore, restart: () => void, current: Run): Promise<void> {
  let deviceName = "appliance";
  try {
    deviceName = readDeviceDeclaration(config.device, "manifest").name;
  } catch {
    // The page works without the declaration's name; a normal boot traces its error.
  }
  const simulator = platform.name === "simulator";
  const port = config.setup_port === undefined || config.setup_port === "" ? (simulator ? 8080 : 80) : Number(config.setup_port);
  // No XMPP connection in set-up: the host gives the page randomness, digests and timers only.
  const host = createModdableHost({ ca: new ArrayBuffer(0) });
  const opened = await openSetUp({
    host,
    store,
    manifest: config,
    radio: createRadio(host.setTimeout, host.clearTimeout),
    deviceName,
    cause,
    port,
    address: simulator ? "127.0.0.1" : "192.168.4.1",
    restart,
    log,
  });
  current.stop = () => opened.close();
}

async function run(partitions: FirmwarePartitions, store: SettingsStore, restart: () => void, current: Run, firstBoot: boolean): Promise<void> {
  const settingsInForce = resolved(store);
  // The set-up button is read at power-up only: the simulator's restart after the set-up does not see it again.
  let cause = provisioningCause(settingsInForce, { buttonHeld: firstBoot && (platform.setUpButtonHeld?.(config, log) ?? false), needsWifi: platform.name !== "simulator" });
  let settings: Settings | undefined;
  if (cause === undefined) {
    try {
      settings = read(settingsInForce);
    } catch (error) {
      if (error instanceof DeclarationError) {
        log("error", `${error.message}; fix the manifest or the mcconfig line and rebuild`);
        return;
      }
      if (!(error instanceof ConfigError)) throw error;
      cause = `the settings cannot be used: ${error.message}`;
    }
  }
  if (settings === undefined) {
    await setUp(cause!, store, restart, current);
    return;
  }
  const { declaration, connection, ca, sntp, sntpPool, verify, trialMs } = settings;
  const memory = config.memory_report ? new MemoryProbe(log) : undefined;
  const profile = esp32Profile(config);
  // Time.set does nothing in the simulator: on the ESP32 profile the clock is an offset from 1970.
  const wall = new WallClock(() => Date.now(), profile ? undefined : (ms) => Time.set(Math.floor(ms / 1000)));
  // The store keeps the FAST token (XEP-0484) across restarts, beside the settings.
  const host = createModdableHost({ ca, wallClock: () => wall.now(), store });
  const board = typeof config.board === "string" ? config.board : undefined;
  const pinMap = platform.pinMap(config);
  let served: ReturnType<typeof createChangeableDevice>;
  try {
    served = createChangeableDevice(
      {
        builtIn: declaration,
        host,
        openPins: (declared) => platform.createPins({ drivers: declared.drivers, sensors: declared.sensors, host, config, log }),
        store,
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
  // Settings changed over XMPP run on trial: back to the previous ones when they cannot come online.
  const trial = new SettingsTrial({ store, host, trialMs, restart, log });
  let appliance: Appliance | undefined;
  let link: WifiLink | undefined;
  let update: FirmwareUpdate | undefined;
  let stopped = false;
  current.stop = () => {
    stopped = true;
    trial.close();
    update?.close();
    appliance?.stop();
    link?.stop();
    device.close();
  };
  if (verify) {
    // Its own host: a download's TLS session must not take the XMPP server's place in the SDK's one-entry session cache.
    const downloads = createModdableHost({ ca, wallClock: () => wall.now(), sessionCache: false });
    update = new FirmwareUpdate({
      runtime: {
        slot: partitions.slot,
        // The hub serves images under its own name, reached where the XMPP server is.
        download: (url, onChunk) => httpsGet({ host: downloads, address: (name) => (name === connection.jid.domain ? connection.server.host : name) }, url, onChunk),
        sha256: moddableSha256,
        verify(digest, signature) {
          const started = host.now();
          const valid = verify(digest, signature);
          log("update", `ECDSA P-256 signature checked in ${Math.round(host.now() - started)} ms: ${valid ? "valid" : "not valid"}`);
          return valid;
        },
        restart,
      },
      host,
      safe: () => device.safe(),
      progress: (status) => {
        if (appliance?.client.online) appliance.client.setStatus(status);
      },
      log,
      trialMs,
    });
  } else log("update", "no update_key in this build: the update command is not offered");
  log("firmware", `version ${partitions.version()}${partitions.slot.onTrial ? " (on trial)" : ""}`);
  update?.boot();
  trial.boot();
  const on = profile ? " (ESP32 profile: fixed heaps, clock from 1970, the ESP32's ADC range)" : "";
  log("ready", readyLine(device.declaration, ` on ${platform.name}${board ? ` (${board})` : ""}${on}`));
  memory?.phase("boot");
  // No XMPP connect is started while Wi-Fi is down; a rejoin starts the one held back.
  link = await joinWifi(
    host,
    settings,
    () => appliance?.networkUp(),
    (why) => {
      // The stored network is gone or refuses its passphrase: a person gives another one on the page.
      current.stop();
      void setUp(why, store, restart, current);
    },
  );
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
    // The reply leaves before the restart (a second later).
    commands: [settingsCommand({ store, manifest: config, restart: () => host.setTimeout(restart, 1000), log }), ...(update ? [updateCommand(update)] : [])],
    version: partitions.version(),
    networkUp: link ? () => link.up : undefined,
    onEvent: (event, detail) => {
      log(event, detail);
      if (event === "online") {
        update?.online();
        trial.online();
      }
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
    // A restart stopped this run: the next one goes on, nothing went wrong.
    if (stopped) return;
    // A change on trial that cannot log in (a refused account, say) goes back at once.
    if (trial.revert((error as Error).message)) return;
    device.close();
    log("error", (error as Error).message);
  }
}

export default function start(): void {
  platform.start?.();
  const partitions = platform.partitions();
  // The simulator keeps its own (hosts/sim/settings-store.ts); a board uses Preference (NVS).
  const store: SettingsStore = platform.settingsStore?.() ?? new PreferenceStore();
  const current: Run = { stop() {} };
  let boots = 0;
  const boot = () => {
    // The bootloader's step where the platform simulates one: an activated image boots on trial, an unconfirmed one goes back.
    partitions.boot?.();
    run(partitions, store, restart, current, boots++ === 0).catch((error: unknown) => log("error", `unexpected: ${(error as Error)?.stack ?? String(error)}`));
  };
  const restart = () => {
    if (platform.restart) {
      log("restarting", "");
      platform.restart();
      return;
    }
    log("restarting", "the simulator runs the firmware again");
    current.stop();
    current.stop = () => {};
    boot();
  };
  boot();
}
