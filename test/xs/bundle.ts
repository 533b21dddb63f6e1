// One script for the XS engine: `entry` (TypeScript importing the project's sources by paths from
// its root) bundled by esbuild into build/<name>.xs.js, as the XS benchmarks and the meter tests run it.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { projectRoot } from "./xsnap.js";

/** Bundles `entry` and returns the bundle's path (build/<name>.xs.js). */
export async function bundleForXs(entry: string, name: string): Promise<string> {
  const out = join(projectRoot, "build", `${name}.xs.js`);
  mkdirSync(dirname(out), { recursive: true });
  await build({
    absWorkingDir: projectRoot,
    stdin: { contents: entry, resolveDir: projectRoot, sourcefile: `${name.split("/").at(-1)}-entry.ts`, loader: "ts" },
    outfile: out,
    bundle: true,
    platform: "neutral",
    mainFields: ["module", "main"],
    format: "iife",
    target: "es2022",
    banner: { js: '"use strict";' },
    logLevel: "warning",
  });
  return out;
}
