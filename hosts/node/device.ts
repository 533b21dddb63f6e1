// `npm run device -- <manifest.json> key=value ...`: runs a device on the desktop against a hub,
// its pins simulated (each change logged) and its heaters warming a simulated thermal model.

import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { Appliance } from "../../src/app/appliance.js";
import { ConfigError, readConnectionConfig, type ConnectionConfig } from "../../src/app/config.js";
import { createChangeableDevice, readyLine } from "../../src/app/appliance-device.js";
import { declaredPins } from "../../src/device/board-pins.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { DeclarationError } from "../../src/device/declaration-error.js";
import type { DeviceDeclaration } from "../../src/device/types.js";
import { readStoredSettings, resolveSettings } from "../../src/app/settings.js";
import { settingsCommand } from "../../src/app/settings-command.js";
import { FirmwareUpdate, readUpdateTrialMs, updateCommand } from "../../src/app/firmware-update.js";
import { SettingsTrial } from "../../src/app/settings-trial.js";
import { FIRMWARE_VERSION } from "../../src/app/version.js";
import { encodeUtf8 } from "../../src/xml/utf8.js";
import { FolderPartitions } from "./firmware-folder.js";
import { ecdsaVerifier, httpsDownload, nodeSha256 } from "./update-runtime.js";
import { createNodeHost } from "./host.js";
import { FileSettingsStore, SettingsFileError } from "./settings-file.js";
import { asksForHelp } from "./help-flag.js";
import { logLines } from "./log-lines.js";
import { withPassword } from "./password-source.js";
import { ManifestError, applyOverrides, readManifestConfig } from "./manifest.js";
import { createSimulatedPins } from "../sim/pins.js";
import { simulatedNetworks } from "../sim/networks.js";
import { SetUpPage, accessPointCredentials, provisioningCause } from "../../src/app/provisioning.js";
import { startSetUpServer } from "./set-up-server.js";

const USAGE = "usage: npm run device -- <manifest.json> [key=value ...]   (keys: jid, xmpp_password, server, ca, owner, settings=<file>, provision=1)";

const lines = logLines();

function log(event: string, detail = ""): void {
  const time = new Date().toISOString().slice(11, 23);
  lines.line(`${time} ${event.padEnd(13)} ${detail}`.trimEnd());
}

interface Loaded {
  store: FileSettingsStore;
  settingsFile: string;
  /** The PEM public key updates must be signed with (`update_key`); without it the device takes no updates. */
  updateKey: string | undefined;
  /** `update_trial_s`, in ms: how long an updated image has to come online before the previous one boots again. */
  trialMs: number;
  /** The manifest's config with the command line over it: what the stored settings fall back to. */
  manifest: Record<string, unknown>;
  config: ConnectionConfig;
  caPem: string;
  declaration: DeviceDeclaration;
}

function load(args: string[]): Loaded {
  const [manifest, ...given] = args;
  if (!manifest || manifest.includes("=")) throw new ManifestError(USAGE);
  const overrides = withPassword(given);
  const built = applyOverrides(readManifestConfig(manifest), overrides);
  const settingsFile = settingsPath(manifest, built.settings);
  const store = new FileSettingsStore(settingsFile);
  // Settings stored on the device (provisioning, the settings command) come before the manifest's.
  const raw = resolveSettings(readStoredSettings(store), built);
  // The whole declaration is checked before anything else happens, and before any pin is opened.
  const declaration = readDeviceDeclaration(raw.device, manifest);
  const config = readConnectionConfig(raw);
  let caPem: string;
  try {
    // A CA stored through provisioning is the PEM text itself; the manifest's is a file.
    caPem = config.ca.startsWith("-----BEGIN") ? config.ca : readFileSync(config.ca, "utf8");
  } catch (error) {
    throw new ConfigError("ca", `cannot read ${config.ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!caPem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError("ca", `${config.ca} holds no PEM certificate`);
  return { store, settingsFile, manifest: built, config, caPem, declaration, updateKey: readUpdateKey(raw.update_key), trialMs: readUpdateTrialMs(raw.update_trial_s) };
}

interface Provisioning {
  store: FileSettingsStore;
  manifest: Record<string, unknown>;
  settings: Record<string, unknown>;
  cause: string;
  deviceName: string;
}

/**
 * Whether this start opens the set-up page instead of logging in: `provision=1` on the command
 * line (the desktop's button held at boot; not again after the restart that follows the set-up),
 * or no account to log in with (no jid, or neither xmpp_password nor ca, stored or given: a device
 * fresh from the factory). A setting that is given but wrong, or one of the two missing, still ends
 * the command naming it: on the desktop it was typed by hand.
 */
function provisioning(args: string[], restarted: boolean): Provisioning | undefined {
  const [manifest, ...given] = args;
  if (!manifest || manifest.includes("=")) throw new ManifestError(USAGE);
  const built = applyOverrides(readManifestConfig(manifest), withPassword(given));
  const buttonHeld = !restarted && /^(1|true|yes)$/i.test(String(built.provision ?? ""));
  const store = new FileSettingsStore(settingsPath(manifest, built.settings));
  const settings = resolveSettings(readStoredSettings(store), built);
  const has = (key: string) => settings[key] !== undefined && settings[key] !== "";
  // A manifest names the device's JID but never holds its secrets: without a password and a CA too, nothing was set up yet.
  const fresh = !has("jid") || (!has("xmpp_password") && !has("ca"));
  if (!buttonHeld && !fresh) return undefined;
  const declaration = readDeviceDeclaration(settings.device, manifest);
  const cause = provisioningCause(settings, { buttonHeld }) ?? "no account is set";
  return { store, manifest: built, settings, cause, deviceName: declaration.name };
}

/** The set-up page on 127.0.0.1 (the desktop's stand-in for the access point); resolves true once settings are stored, false on a signal. */
async function provision({ store, manifest, settings, cause, deviceName }: Provisioning): Promise<boolean> {
  const host = createNodeHost({ ca: "", store });
  const { credentials, created } = accessPointCredentials(store, host);
  log("set-up", `opening the set-up access point: ${cause}`);
  log("set-up", `access point "${credentials.ssid}" (WPA2), passphrase ${credentials.passphrase} (${created ? "new: write it on the device's label" : "as on the device's label"}; simulated on the desktop)`);
  const networks = simulatedNetworks(settings.sim_wifi, typeof settings.ssid === "string" && settings.ssid !== "" ? settings.ssid : "Home").map((n) => ({ ...n, bssid: n.index }));
  let stored: (value: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => {
    stored = resolve;
  });
  const page = new SetUpPage({ host, store, manifest, deviceName, networks: () => networks, restart: () => stored(true), log });
  const port = manifest.setup_port === undefined || manifest.setup_port === "" ? 0 : Number(manifest.setup_port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError("setup_port", `"${String(manifest.setup_port)}" is not a port number (0 for a free one)`);
  const server = await startSetUpServer(page, port);
  log("set-up", `page ${server.url}`);
  const stop = () => stored(false);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const result = await done;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await server.close();
  return result;
}

/** `update_key=<PEM file>`: the public key the desktop device is "built" with. */
function readUpdateKey(given: unknown): string | undefined {
  if (given === undefined || given === "") return undefined;
  if (typeof given !== "string") throw new ConfigError("update_key", "expected the path of a PEM public key");
  let pem: string;
  try {
    pem = readFileSync(given, "utf8");
  } catch (error) {
    throw new ConfigError("update_key", `cannot read ${given}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    ecdsaVerifier(pem);
  } catch (error) {
    throw new ConfigError("update_key", `${given}: ${(error as Error).message}`);
  }
  return pem;
}

/** `settings=<file>`, else `.device/<device folder>.settings.json` in the working directory. */
function settingsPath(manifest: string, given: unknown): string {
  if (given !== undefined && given !== "") {
    if (typeof given !== "string") throw new ConfigError("settings", "expected the path of the settings file");
    return resolve(given);
  }
  return resolve(".device", `${basename(dirname(resolve(manifest)))}.settings.json`);
}

async function main(args: string[], afterRestart = false): Promise<number> {
  if (asksForHelp(args)) {
    console.log(USAGE);
    return 0;
  }
  let loaded: Loaded;
  try {
    const setUp = provisioning(args, afterRestart);
    if (setUp) {
      if (!(await provision(setUp))) return 0;
      log("restarting", "on the settings stored on the device");
      return main(args, true);
    }
    loaded = load(args);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ManifestError || error instanceof DeclarationError || error instanceof SettingsFileError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { store, settingsFile, manifest, config, caPem, declaration, updateKey, trialMs } = loaded;
  const host = createNodeHost({ ca: caPem, store, beforeSend: lines.flush });
  // The simulation's lines start with what they are about: "pin 26 (grill) -> 1", "sensor cavity 143.5 °C".
  const simulationLog = (line: string) => {
    const space = line.indexOf(" ");
    log(line.slice(0, space), line.slice(space + 1));
  };
  const { device, attach } = createChangeableDevice(
    {
      builtIn: declaration,
      host,
      openPins: (declared) => createSimulatedPins({ drivers: declared.drivers, sensors: declared.sensors, host, log: simulationLog }),
      store,
      // A desktop device has no board: a declaration sent to it may use the manifest's pins.
      board: { pins: declaredPins(declaration), name: "this simulated device (the pins of its manifest's declaration)" },
    },
    log,
  );
  log("ready", readyLine(device.declaration));
  const ON_SETTINGS = "on the settings stored on the device";
  let restart: (why: string) => void = () => {};
  let restarting: string | undefined;
  const restarted = new Promise<void>((resolve) => {
    restart = (why) => {
      restarting ??= why;
      resolve();
    };
  });
  // A second leaves the reply time to reach the owner before the connection closes.
  const settings = settingsCommand({ store, manifest, restart: () => host.setTimeout(() => restart(ON_SETTINGS), 1000), log });
  // Settings changed over XMPP run on trial: back to the previous ones when they cannot log in.
  const trial = new SettingsTrial({ store, host, trialMs, restart: () => restart(ON_SETTINGS), log });
  trial.boot();
  let appliance: Appliance | undefined;
  // The bootloader's step at this start: a new image boots on trial, an unconfirmed one goes back.
  const partitions = updateKey ? new FolderPartitions(settingsFile.replace(/(\.settings)?\.json$/, "") + ".firmware", encodeUtf8(JSON.stringify({ version: FIRMWARE_VERSION }))) : undefined;
  partitions?.restart();
  const update = partitions
    ? new FirmwareUpdate({
        runtime: {
          slot: partitions,
          // The hub serves images under its own name, reached where the XMPP server is.
          download: httpsDownload({ caPem, address: (name) => (name === config.jid.domain ? config.server.host : name) }),
          sha256: nodeSha256,
          verify: ecdsaVerifier(updateKey!),
          restart: () => restart("on the firmware image the partitions boot now"),
        },
        host,
        safe: () => device.safe(),
        progress: (status) => {
          if (appliance?.client.online) appliance.client.setStatus(status);
        },
        log,
        trialMs,
      })
    : undefined;
  update?.boot();
  appliance = new Appliance({
    host,
    config,
    device,
    // Read at each outage: a new declaration brings its own grace_s.
    get graceMs() {
      return device.declaration.graceMs;
    },
    changeDeclaration: (text) => device.change(text),
    runtime: `Node.js ${process.versions.node}`,
    commands: update ? [settings, updateCommand(update)] : [settings],
    version: partitions?.version,
    onEvent: (event, detail) => {
      log(event, detail);
      if (event === "online") {
        update?.online();
        trial.online();
      }
    },
  });
  attach(appliance);
  const shutdown = () => {
    log("stopping");
    appliance.stop();
    device.close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  // A restart does not wait for the first login: an image on trial that cannot come online
  // goes back to the previous one at the end of its trial even while the server stays out of reach.
  let failed: Error | undefined;
  await Promise.race([
    appliance.start().then(
      () => {},
      (error: Error) => {
        failed = error;
      },
    ),
    restarted,
  ]);
  // A change on trial that cannot log in (a refused account, say) goes back at once (a restart).
  if (failed && restarting === undefined && !trial.revert(failed.message)) {
    device.close();
    log("error", failed.message);
    lines.flush();
    console.error(`error: ${failed.message}`);
    return 1;
  }
  // Runs until a signal ends it, or the settings command or an update restarts it.
  await restarted;
  process.off("SIGINT", shutdown);
  process.off("SIGTERM", shutdown);
  log("restarting", restarting ?? ON_SETTINGS);
  // The next run decides about an image or settings on trial: this run's timers must not fire.
  trial.close();
  update?.close();
  appliance.stop();
  device.close();
  return main(args, true);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    lines.flush();
    console.error(error);
    process.exit(1);
  },
);
