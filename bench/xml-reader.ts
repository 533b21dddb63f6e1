// `npm run bench:xml`: reads the same stanzas with xmpp.js's ltx-based parser, ltx.parse and the
// project's StanzaStream, and times encodeUtf8, on Node and on the XS engine (xsnap), printing
// figures and ratios (and xsnap meter units on XS).

import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ensureXsnap, projectRoot } from "../test/xs/xsnap.js";
import { run } from "./xml-reader-workload.js";

const rounds = Number(process.env.ROUNDS ?? 20);
console.log(`Node ${process.version}`);
run("Node (V8)", rounds);

const out = join(projectRoot, "build/bench/xml-reader.xs.js");
mkdirSync(join(projectRoot, "build/bench"), { recursive: true });
await build({
  absWorkingDir: projectRoot,
  stdin: {
    contents: `import { run } from "./bench/xml-reader-workload.ts"; run("XS (xsnap)", ${rounds});`,
    resolveDir: projectRoot,
    sourcefile: "bench-entry.ts",
    loader: "ts",
  },
  outfile: out,
  bundle: true,
  platform: "neutral",
  mainFields: ["module", "main"],
  format: "iife",
  target: "es2022",
  banner: { js: '"use strict";' },
  logLevel: "warning",
});
const xsnap = ensureXsnap();
console.log("");
const result = spawnSync(xsnap, ["-s", out], { stdio: "inherit" });
process.exit(result.status ?? 1);
