// Reads a Moddable manifest's `config` the way mcconfig does: includes first, the including
// manifest's own keys over them, then the command line's key=value pairs over everything.

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export type Config = Record<string, unknown>;

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

/** The merged `config` of `path` and every manifest it includes. */
export function readManifestConfig(path: string, env: NodeJS.ProcessEnv = process.env, seen = new Set<string>()): Config {
  const file = resolve(path);
  if (seen.has(file)) throw new ManifestError(`${path} includes itself (through ${[...seen].join(" -> ")})`);
  seen.add(file);
  let manifest: { include?: unknown; config?: unknown };
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ManifestError(`cannot read manifest ${path}: ${reason}`);
  }
  let config: Config = {};
  const includes = manifest.include === undefined ? [] : [manifest.include].flat();
  for (const include of includes) {
    if (typeof include !== "string") throw new ManifestError(`${path}: "include" holds ${JSON.stringify(include)}, not a path`);
    const target = expand(include, env);
    // SDK manifests ($(MODDABLE)/...) carry build settings, not device config; without the SDK they are skipped.
    if (target === undefined) continue;
    const included = resolve(dirname(file), target);
    if (!existsSync(included) && /^\$\(/.test(include)) continue;
    config = merge(config, readManifestConfig(included, env, new Set(seen)));
  }
  if (manifest.config !== undefined) {
    if (typeof manifest.config !== "object" || manifest.config === null || Array.isArray(manifest.config)) {
      throw new ManifestError(`${path}: "config" must be an object`);
    }
    config = merge(config, manifest.config as Config);
  }
  return config;
}

/** Applies `key=value` arguments the way mcconfig does: flat string values over the manifest's. */
export function applyOverrides(config: Config, args: string[]): Config {
  const result = { ...config };
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new ManifestError(`"${arg}" is not key=value`);
    result[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return result;
}

function expand(path: string, env: NodeJS.ProcessEnv): string | undefined {
  let missing = false;
  const expanded = path.replace(/\$\((\w+)\)/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) missing = true;
    return value ?? "";
  });
  return missing ? undefined : expanded;
}

function merge(base: Config, over: Config): Config {
  const result: Config = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const old = result[key];
    result[key] = isObject(old) && isObject(value) ? merge(old, value) : value;
  }
  return result;
}

function isObject(value: unknown): value is Config {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
