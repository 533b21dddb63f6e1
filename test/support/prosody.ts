// A throwaway hub for integration tests: a real Prosody on a free loopback port, in a fresh
// temporary directory that stop() removes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Account, type Hub, type HubOptions, startHub } from "../../hosts/node/hub/prosody.js";

export type { Account, Hub };

export interface TestHubOptions {
  readonly domain?: string;
  readonly websocket?: boolean;
  /** Reuse a directory (e.g. to restart a hub on its old CA); it is then not removed on stop(). */
  readonly dir?: string;
  readonly log?: HubOptions["log"];
}

export async function startTestHub(accounts: readonly Account[], options: TestHubOptions = {}): Promise<Hub> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "xmpp-appliance-hub-"));
  let hub: Hub;
  try {
    hub = await startHub({ dir, accounts, c2sPort: 0, domain: options.domain, websocket: options.websocket, log: options.log });
  } catch (error) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return Object.freeze({
    ...hub,
    stop: () =>
      (stopping ??= hub.stop().then(() => {
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      })),
  });
}
