// Bundles the TypeScript entry points with esbuild into build/: the Node host's commands,
// every test file for mocha, the XS test bundle (see test/xs/) and the web dashboard's page.
import { build } from "esbuild";
import { copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function find(dir, suffix) {
  const found = [];
  let entries;
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) found.push(...find(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found.sort();
}

// Nothing changed since the last build: nothing to do (the commands run it before every start).
// The stamp is written after a whole build, so an interrupted one is done again.
const STAMP = join(root, "build/.stamp");
const INPUTS = ["src", "owner", "hosts", "web", "test", "bench", "types", "scripts/build.mjs", "package.json", "package-lock.json", "node_modules/.package-lock.json"];
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const input of INPUTS) visit(join(root, input));
  return newest;
}
const force = process.argv.includes("--force");
if (!force && existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestInput()) process.exit(0);
// `npm run -s` (loglevel silent) asks for the command's own output only.
const quiet = process.env.npm_config_loglevel === "silent";

const nodeEntries = [
  ...find("hosts/node", ".ts").filter((p) => !p.endsWith(".d.ts")),
  "bench/xml-reader.ts",
  "bench/moddable-memory.ts",
  "bench/fleet.ts",
  "bench/login.ts",
  "bench/scram-login.ts",
  "bench/commands.ts",
  "bench/device-path.ts",
  "bench/echo-bot.ts",
  "bench/dashboard.ts",
  "bench/soak.ts",
  ...find("test", ".ts").filter((p) => !p.endsWith(".d.ts") && !p.startsWith("test/xs/bundle")),
];

await build({
  absWorkingDir: root,
  entryPoints: nodeEntries,
  outdir: "build",
  outbase: ".",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  // The commands are the package's bin entries: runnable by themselves.
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});

// The XS bundle: every unit suite under test/unit, behind the small describe/it harness
// that test/xs/harness.ts gives xsnap (which has no mocha, no Node and no setTimeout).
const unitSuites = find("test/unit", ".test.ts");
const xsEntry = [
  `import { run } from "./test/xs/harness.ts";`,
  ...unitSuites.map((p) => `import "./${p}";`),
  `run();`,
].join("\n");
await build({
  absWorkingDir: root,
  stdin: { contents: xsEntry, resolveDir: root, sourcefile: "xs-entry.ts", loader: "ts" },
  outfile: "build/test/xs/unit.js",
  bundle: true,
  platform: "neutral",
  mainFields: ["module", "main"],
  format: "iife",
  // Modules are strict on Moddable and on Node; an IIFE script would run sloppy on xsnap and
  // let, e.g., a write to a frozen object pass silently.
  banner: { js: '"use strict";' },
  target: "es2022",
  logLevel: "warning",
});

// The web dashboard's page (web/): its script bundled with @xmpp/client for browsers, its style
// sheet, and index.html copied as is, into build/web/ where `npm run dashboard` serves them.
await build({
  absWorkingDir: root,
  entryPoints: ["web/dashboard.ts", "web/dashboard.css"],
  outdir: "build/web",
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  sourcemap: "linked",
  // @xmpp/resolve imports node:dns, which its package.json's "browser" map misses (it names
  // "./lib/dns", the import says "./lib/dns.js"); in a browser there is no DNS to ask anyway,
  // and the page always connects to a given WebSocket URL.
  plugins: [{
    name: "no-node-dns",
    setup(build) {
      build.onResolve({ filter: /^node:dns$/ }, () => ({ path: "node:dns", namespace: "browser-stub" }));
      build.onLoad({ filter: /.*/, namespace: "browser-stub" }, () => ({ contents: "export default {};", loader: "js" }));
    },
  }],
  logLevel: "warning",
});
copyFileSync(join(root, "web/index.html"), join(root, "build/web/index.html"));

writeFileSync(STAMP, `${new Date().toISOString()}\n`);
// On stderr, so that `npm run -s ctl -- ... | script` reads only what the command printed.
if (!quiet) console.error(`build: ${nodeEntries.length} entry points, ${unitSuites.length} unit suites for XS (${relative(process.cwd(), join(root, "build")) || "."})`);
