// `npm run bench:device-path [-- --count N]`: the device's own work for one command (bench/device-path-workload.ts),
// on Node and on the XS engine (xsnap), in µs and, on XS, in meter units per command.

import { spawnSync } from "node:child_process";
import { bundleForXs } from "../test/xs/bundle.js";
import { ensureXsnap } from "../test/xs/xsnap.js";
import { readNumberOptions } from "./number-options.js";
import { run } from "./device-path-workload.js";

const USAGE = "usage: npm run bench:device-path [-- --count N]";
const options = readNumberOptions(process.argv.slice(2), ["--count"], USAGE);
const count = options.get("--count")?.[0] ?? 2000;
if (count < 10 || count > 100_000) throw new Error(`--count: from 10 to 100000; ${USAGE}`);
console.log(`Node ${process.version}`);
await run("Node (V8)", count);

const out = await bundleForXs(
  `import { run } from "./bench/device-path-workload.ts"; run("XS (xsnap)", ${count}).catch((error) => { print(String(error)); throw error; });`,
  "bench/device-path",
);
const xsnap = ensureXsnap();
console.log("");
const result = spawnSync(xsnap, ["-s", out], { stdio: "inherit" });
process.exit(result.status ?? 1);
