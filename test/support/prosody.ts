// A throwaway hub for integration tests: a real Prosody or ejabberd on a free loopback port, in
// a fresh temporary directory that stop() removes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEjabberdHub } from "../../hosts/node/hub/ejabberd.js";
import { type Account, type Hub, type HubOptions, startHub } from "../../hosts/node/hub/prosody.js";

export type { Account, Hub };

export type HubServer = "prosody" | "ejabberd";
/** The servers the suites that start a hub run against, each in turn. */
export const HUB_SERVERS: readonly HubServer[] = ["prosody", "ejabberd"];

export interface TestHubOptions {
  readonly domain?: string;
  readonly websocket?: boolean;
  /** Reuse a directory (e.g. to restart a hub on its old CA); it is then not removed on stop(). */
  readonly dir?: string;
  readonly log?: HubOptions["log"];
  /** Default prosody. */
  readonly server?: HubServer;
  readonly contacts?: HubOptions["contacts"];
  /**
   * Prosody: SASL2 with Bind2 (default off here: @xmpp/client 0.14 takes it too, and Bind2 gives
   * the suites' peers resources like console~x1Y2 instead of the ones they assert; the login
   * suite and the demo run with it).
   */
  readonly sasl2?: boolean;
  /** With ejabberd: that many nodes in one cluster. */
  readonly nodes?: number;
  /** Prosody only: offline storage on, as a stock install has it. */
  readonly offlineStorage?: boolean;
  /** Prosody with sasl2 only: how long a FAST token lasts, in seconds. */
  readonly fastTokenTtlS?: number;
  /** The client port (default: a free one), e.g. to restart a hub where its clients look for it. */
  readonly c2sPort?: number;
}

export async function startTestHub(accounts: readonly Account[], options: TestHubOptions = {}): Promise<Hub> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "xmpp-appliance-hub-"));
  let hub: Hub;
  try {
    const hubOptions = { dir, accounts, c2sPort: options.c2sPort ?? 0, domain: options.domain, websocket: options.websocket, log: options.log, contacts: options.contacts, sasl2: options.sasl2 ?? false };
    hub = options.server === "ejabberd" ? await startEjabberdHub({ ...hubOptions, nodes: options.nodes }) : await startHub({ ...hubOptions, offlineStorage: options.offlineStorage, fastTokenTtlS: options.fastTokenTtlS });
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
