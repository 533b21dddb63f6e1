// hub.json in the hub's directory: what a running hub serves, written when it starts, so that
// `npm run fleet -- --hub DIR` finds the server, domain, CA and owner without being told.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const HUB_FILE = "hub.json";

export interface HubFile {
  readonly software: string;
  readonly domain: string;
  /** host:port devices connect to (a cluster's balancer). */
  readonly server: string;
  /** host:port of each node of a cluster, the first being where owners connect. */
  readonly nodes: readonly string[];
  /** Absolute path of the CA certificate. */
  readonly ca: string;
  /** The owner's bare JID. */
  readonly owner: string;
  readonly pid: number;
}

export function writeHubFile(dir: string, facts: HubFile): void {
  writeFileSync(join(dir, HUB_FILE), JSON.stringify(facts, null, 2) + "\n");
}

/** Removed when the hub stops, so a fleet never aims at a hub that is gone. */
export function removeHubFile(dir: string): void {
  rmSync(join(dir, HUB_FILE), { force: true });
}

export function readHubFile(dir: string): HubFile {
  const path = join(dir, HUB_FILE);
  let value: Partial<HubFile>;
  try {
    value = JSON.parse(readFileSync(path, "utf8")) as Partial<HubFile>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file: is the hub running (npm run hub)?" : (error as Error).message;
    throw new Error(`cannot read ${path}: ${reason}`);
  }
  for (const key of ["software", "domain", "server", "ca", "owner"] as const) {
    if (typeof value[key] !== "string") throw new Error(`${path}: "${key}" is missing; restart the hub to write it again`);
  }
  return { ...value, nodes: Array.isArray(value.nodes) ? value.nodes : [value.server!] } as HubFile;
}
