// Runs a device in the Moddable simulator for tests: `npm run sim`'s script builds the app for
// -p lin with the given settings and runs it in mcsim (under xvfb-run), its trace read through
// the SDK's xsbug-log on a free loopback port.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freeLoopbackPort } from "../../hosts/node/hub/loopback-port.js";
import { projectRoot } from "../../hosts/node/project.js";
import { watchProcess, type DeviceRun } from "./device-process.js";

// From the project's root, not this file: a bundle that holds this module may sit at any depth
// under build/ (build/test/sim/*.mjs, build/bench/login.mjs).
const script = join(projectRoot(), "scripts", "moddable.mjs");

/** Why the simulator tests cannot run here, or undefined when they can. */
export function simulatorMissing(): string | undefined {
  const moddable = process.env.MODDABLE;
  if (!moddable) return "MODDABLE is not set and there is no ../shared/moddable-sdk for npm test to set up: the Moddable SDK is needed for the simulator tests (README, \"Setting up the SDK (Linux)\")";
  for (const tool of ["build/bin/lin/release/mcconfig", "build/bin/lin/debug/mcsim", "tools/xsbug-log/xsbug-log.js"]) {
    if (!existsSync(join(moddable, tool))) return `MODDABLE=${moddable} has no ${tool}: build the SDK's tools (cd $MODDABLE/build/makefiles/lin && make && make debug)`;
  }
  return undefined;
}

export async function runSim(manifest: string, settings: string[], flags: string[] = []): Promise<DeviceRun> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [script, "sim", "--port", String(port), ...flags, manifest, ...settings], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The script ends the simulator's process group on SIGTERM, then exits.
  const run = watchProcess(child, "the simulator", async () => {
    child.kill("SIGTERM");
  });
  // mcsim may abort or crash while xsbug-log keeps running: a wait for anything fails at once then.
  const waitFor = run.waitFor;
  return {
    ...run,
    waitFor(pattern, timeoutMs, from) {
      const ended = new RegExp(`(?:${pattern.source})|${SIM_ENDED.source}`);
      return waitFor(ended, timeoutMs, from).then((found) => {
        if (SIM_ENDED.test(found) && !pattern.test(found)) throw new Error(`the simulator ended (${found.trim()}) before printing ${pattern}; it printed:\n${run.output()}`);
        return found;
      });
    },
  };
}

/** What xsbug-log prints when the app aborts or mcsim is gone. */
const SIM_ENDED = /XS abort: [^\n]*|#xsbug-log disconnected[^\n]*/;
