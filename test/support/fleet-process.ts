// Runs `npm run fleet`'s command as a child process for tests, on a test hub whose directory
// holds the hub file and the fleet's passwords, as `npm run hub -- --fleet N` leaves them.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCOUNTS_FILE } from "../../hosts/node/hub/account-store.js";
import { writeHubFile } from "../../hosts/node/hub/hub-file.js";
import { projectRoot } from "../../hosts/node/project.js";
import { watchProcess, type DeviceRun } from "./device-process.js";
import type { Hub } from "./prosody.js";

// From the project's root: this file is bundled into tests and benchmarks at different depths.
const fleetCommand = join(projectRoot(), "build/hosts/node/fleet.mjs");

export function runFleet(args: string[]): DeviceRun {
  const child = spawn(process.execPath, ["--expose-gc", fleetCommand, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return watchProcess(child, "the fleet", async () => {
    child.kill("SIGTERM");
  });
}

/** Writes `dir`'s hub file for `hub` with `owner` as the fleet's owner. */
export function writeFleetHubFile(dir: string, hub: Hub, owner: string): void {
  writeHubFile(dir, {
    software: hub.software, domain: hub.domain, server: `${hub.host}:${hub.c2sPort}`, nodes: [`${hub.host}:${hub.c2sPort}`],
    ca: hub.caPath, owner: `${owner}@${hub.domain}`, pid: process.pid,
  });
}

/** Writes the passwords the fleet logs in with (accounts.json in `dir`). */
export function storeFleetAccounts(dir: string, accounts: readonly { user: string; password: string }[]): void {
  writeFileSync(join(dir, ACCOUNTS_FILE), JSON.stringify(Object.fromEntries(accounts.map(({ user, password }) => [user, password]))));
}
