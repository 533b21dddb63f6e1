// Type-checks the code that runs on the Moddable SDK (src/, hosts/moddable, hosts/sim) against
// the SDK's own typings/ when MODDABLE is set, else against the npm package @moddable/typings
// (older: what it lacks is declared in hosts/moddable/types/typings-5.6/).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const sdkTypings = process.env.MODDABLE ? join(process.env.MODDABLE, "typings") : undefined;
const useSdk = sdkTypings !== undefined && existsSync(sdkTypings);
if (process.env.MODDABLE && !useSdk) console.error(`typecheck: ${sdkTypings} does not exist; using @moddable/typings`);
const dir = join(root, "build");
mkdirSync(dir, { recursive: true });
const fromBuild = (path) => relative(dir, path);
const typings = useSdk
  ? [join(sdkTypings, "**/*.d.ts"), join(process.env.MODDABLE, "xs/includes/xs.d.ts")]
  : [join(root, "node_modules/@moddable/typings/**/*.d.ts"), join(root, "hosts/moddable/types/typings-5.6/*.d.ts")];
const config = {
  extends: fromBuild(join(root, "tsconfig.base.json")),
  compilerOptions: { lib: ["ES2022"], types: [], allowJs: false },
  include: [
    ...["src/**/*.ts", "types/**/*.d.ts", "hosts/moddable/**/*.ts", "hosts/sim/**/*.ts"].map((p) => fromBuild(join(root, p))),
    ...typings.map((p) => (p.startsWith(root) ? fromBuild(p) : p)),
  ],
  exclude: [fromBuild(join(root, useSdk ? "hosts/moddable/types/typings-5.6" : "nothing-excluded"))],
};
const file = join(dir, "tsconfig.moddable.json");
writeFileSync(file, JSON.stringify(config, null, 2));
const tsc = join(root, "node_modules/typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", file], { stdio: "inherit" });
console.error(`typecheck: src, hosts/moddable, hosts/sim against ${useSdk ? `the SDK's typings (${sdkTypings})` : "@moddable/typings 5.6.0"}: ${result.status === 0 ? "ok" : "errors above"}`);
process.exit(result.status ?? 1);
