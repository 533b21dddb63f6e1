// What a simulator suite runs against: a private Prosody hub with the suite's accounts, an SNTP
// server (the firmware sets its clock before STARTTLS) and, when asked, a scratch folder. Without
// the Moddable SDK (or another requirement) the suite is skipped, saying why.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "mocha";
import { startTestHub, type Account, type Hub, type TestHubOptions } from "./prosody.js";
import { simulatorMissing } from "./sim-process.js";
import { startSntpServer, type SntpServer } from "./sntp-server.js";

export interface SimWorld {
  readonly hub: Hub;
  readonly sntp: SntpServer;
  /** The scratch folder, when `scratch` was given; removed by `stop()` unless kept. */
  readonly scratch: string;
  /** Stops the SNTP server and the hub by their pids, and removes the scratch folder unless `keepScratch`. */
  stop(keepScratch?: boolean): Promise<void>;
}

export interface SimWorldOptions {
  /** A scratch folder is made, named after this (e.g. "settings" → xmpp-appliance-sim-settings-XXXX). */
  scratch?: string;
  hub?: TestHubOptions;
  /** Another reason to skip, checked after the SDK's (e.g. prosody-modules missing). */
  missing?: () => string | undefined;
}

/** For a suite's `before`: skips it (printing why) when the simulator cannot run, else starts its world. */
export async function startSimWorld(context: Context, accounts: readonly Account[], options: SimWorldOptions = {}): Promise<SimWorld> {
  const missing = simulatorMissing() ?? options.missing?.();
  if (missing) {
    console.log(`    skipped: ${missing}`);
    context.skip();
  }
  const scratch = options.scratch === undefined ? "" : mkdtempSync(join(tmpdir(), `xmpp-appliance-sim-${options.scratch}-`));
  let hub: Hub | undefined;
  let sntp: SntpServer | undefined;
  const stop = async (keepScratch = false) => {
    await sntp?.stop();
    await hub?.stop();
    if (scratch !== "" && !keepScratch) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    hub = await startTestHub(accounts, options.hub);
    sntp = await startSntpServer();
  } catch (error) {
    await stop();
    throw error;
  }
  return { hub, sntp, scratch, stop };
}
