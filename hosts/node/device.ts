// `npm run device -- <manifest.json> key=value ...`: runs a device on the desktop against a hub.

import { readFileSync } from "node:fs";
import { Appliance } from "../../src/app/appliance.js";
import { ConfigError, readConnectionConfig, type ConnectionConfig } from "../../src/app/config.js";
import { createNodeHost } from "./host.js";
import { ManifestError, applyOverrides, readManifestConfig } from "./manifest.js";

const USAGE = "usage: npm run device -- <manifest.json> [key=value ...]   (keys: jid, xmpp_password, server, ca, owner)";

/** Until the device layer exists, every chat message gets this reply. */
export const PLACEHOLDER_REPLY = "This device has no instruction set yet: it is online and answers ping and disco#info.";

function log(event: string, detail = ""): void {
  const time = new Date().toISOString().slice(11, 23);
  console.log(`${time} ${event.padEnd(13)} ${detail}`.trimEnd());
}

function loadConfig(args: string[]): { config: ConnectionConfig; caPem: string } {
  const [manifest, ...overrides] = args;
  if (!manifest || manifest.includes("=")) throw new ManifestError(USAGE);
  const config = readConnectionConfig(applyOverrides(readManifestConfig(manifest), overrides));
  let caPem: string;
  try {
    caPem = readFileSync(config.ca, "utf8");
  } catch (error) {
    throw new ConfigError("ca", `cannot read ${config.ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!caPem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError("ca", `${config.ca} holds no PEM certificate`);
  return { config, caPem };
}

async function main(args: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(args);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ManifestError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const { config, caPem } = loaded;
  const host = createNodeHost({ ca: caPem });
  const appliance = new Appliance({
    host,
    config,
    onEvent: (event, detail) => log(event, detail),
    onMessage: (message) => {
      log("message", `from ${message.from}: ${message.body}`);
      return PLACEHOLDER_REPLY;
    },
  });
  const shutdown = () => {
    log("stopping");
    appliance.stop();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  try {
    await appliance.start();
  } catch (error) {
    log("error", (error as Error).message);
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  return new Promise<number>(() => {}); // runs until a signal ends it
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
