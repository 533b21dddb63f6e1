// `npm run fleet -- <manifest.json> --count N [--hub DIR] [--rate R] [--duration S] [key=value ...]`:
// N appliances of one manifest in this process, on the fleet accounts of a running hub
// (`npm run hub -- --fleet N`), logging in at a bounded rate; prints their progress, any member
// that fails by name, and the heap each appliance takes once they are all online.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../../src/app/config.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { DeclarationError } from "../../src/device/declaration-error.js";
import { Fleet } from "./fleet/fleet.js";
import { createNodeHost } from "./host.js";
import { storedAccounts } from "./hub/account-store.js";
import { fleetUsers, FLEET_MAX } from "./hub/fleet-accounts.js";
import { readHubFile } from "./hub/hub-file.js";
import { ManifestError, applyOverrides, readManifestConfig } from "./manifest.js";
import { asksForHelp } from "./help-flag.js";
import { projectRoot } from "./project.js";

const USAGE =
  "usage: npm run fleet -- <manifest.json> --count N [--hub DIR] [--rate LOGINS_PER_S] [--parallel N] [--duration S] [key=value ...]\n" +
  "  --count     how many appliances (the hub needs that many fleet accounts: npm run hub -- --fleet N)\n" +
  "  --hub       the running hub's directory (default .hub): its hub.json and accounts.json\n" +
  "  --rate      logins started per second, at most (default 50)\n" +
  "  --parallel  logins under way at once, at most (default 16)\n" +
  "  --duration  stop by itself after this many seconds (default: run until Ctrl-C)";
const STATUS_EVERY_MS = 5000;

class UsageError extends Error {}

interface Settings {
  readonly manifest: string;
  readonly count: number;
  readonly hub: string;
  readonly rate: number;
  readonly parallel: number;
  readonly duration: number | undefined;
  readonly overrides: string[];
}

function parse(argv: readonly string[]): Settings {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    if (argument.startsWith("--")) {
      if (!["--count", "--hub", "--rate", "--parallel", "--duration"].includes(argument)) throw new UsageError(`unknown option ${argument}`);
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${argument} needs a value`);
      flags[argument.slice(2)] = value;
    } else rest.push(argument);
  }
  const [manifest, ...overrides] = rest;
  if (manifest === undefined || manifest.includes("=")) throw new UsageError("the device manifest comes first");
  const number = (key: string, fallback: number | undefined, max: number): number | undefined => {
    const text = flags[key];
    if (text === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0 || Number(text) > max) throw new UsageError(`--${key} ${text} must be a number above 0 and at most ${max}`);
    return Number(text);
  };
  const count = number("count", undefined, FLEET_MAX);
  if (count === undefined || !Number.isInteger(count)) throw new UsageError("--count N (a whole number) is required");
  return {
    manifest, count, overrides,
    hub: resolve(projectRoot(), flags.hub ?? ".hub"),
    rate: number("rate", 50, 10_000)!,
    parallel: Math.ceil(number("parallel", 16, 10_000)!),
    duration: number("duration", undefined, 7 * 24 * 3600),
  };
}

function line(text: string): void {
  console.log(`${new Date().toISOString().slice(11, 23)} ${text}`);
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

function settle(): number {
  // Two collections: the second frees what the first one's finalisers released.
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(argv: readonly string[]): Promise<number> {
  if (asksForHelp(argv)) {
    console.log(USAGE);
    return 0;
  }
  let fleet: Fleet;
  let settings: Settings;
  const baseline = settle();
  try {
    settings = parse(argv);
    const raw = applyOverrides(readManifestConfig(settings.manifest), settings.overrides);
    // The declaration is checked once, before any account is read or any login starts.
    const declaration = readDeviceDeclaration(raw.device, settings.manifest);
    const hub = readHubFile(settings.hub);
    const stored = storedAccounts(settings.hub);
    const users = fleetUsers(settings.count);
    const missing = users.filter((user) => stored[user] === undefined);
    if (missing.length > 0) {
      throw new ConfigError("--count", `the hub in ${settings.hub} has ${settings.count - missing.length} of the ${settings.count} fleet accounts (no ${missing[0]}); restart it with: npm run hub -- --fleet ${settings.count}`);
    }
    let ca: string;
    try {
      ca = readFileSync(hub.ca, "utf8");
    } catch (error) {
      throw new ConfigError("ca", `cannot read the hub's CA ${hub.ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    fleet = new Fleet({
      host: createNodeHost({ ca }),
      declaration,
      config: raw,
      domain: hub.domain,
      server: hub.server,
      ca: hub.ca,
      owner: hub.owner,
      accounts: users.map((user) => ({ user, password: stored[user]! })),
      rate: settings.rate,
      inFlight: settings.parallel,
      onEvent: (user, event, detail) => line(`${user} ${event}: ${detail}`),
    });
    line(`fleet: ${fleet.size} × ${declaration.name} against ${hub.software} at ${hub.server}, logging in at up to ${settings.rate}/s, ${settings.parallel} at once`);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`fleet: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof ManifestError || error instanceof DeclarationError || error instanceof Error) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const report = () => {
    const counts = fleet.counts();
    line(`fleet: ${counts.online} online, ${counts.connecting + counts.waiting} connecting, ${counts.offline} reconnecting, ${counts.failed} failed`);
  };
  const status = setInterval(report, STATUS_EVERY_MS);
  const done = new Promise<"signal" | "duration">((resolveDone) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolveDone("signal"));
    if (settings.duration !== undefined) setTimeout(() => resolveDone("duration"), settings.duration * 1000).unref();
  });
  const started = fleet.start().then(() => "started" as const);
  const first = await Promise.race([started, done]);
  if (first === "started") {
    const counts = fleet.counts();
    const { seconds, perSecond } = fleet.loginRate();
    line(`fleet: ${counts.online} of ${fleet.size} online in ${seconds.toFixed(1)} s (${perSecond.toFixed(1)} logins/s), ${counts.failed} failed`);
    if (counts.online > 0) {
      const heap = settle() - baseline;
      const exact = typeof globalThis.gc === "function" ? "" : " (without --expose-gc: before collection)";
      line(`fleet: memory: heap ${mib(heap)} MiB for ${counts.online} appliances = ${(heap / counts.online / 1024).toFixed(1)} KiB each${exact}; process RSS ${mib(process.memoryUsage().rss)} MiB`);
    }
    await done;
  }
  clearInterval(status);
  report();
  line("fleet: stopping");
  fleet.stop();
  const failed = fleet.counts().failed;
  return failed > 0 && failed === fleet.size ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => setTimeout(() => process.exit(code), 200),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
