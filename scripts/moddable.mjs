// Builds the firmware with the Moddable SDK.
//
//   node scripts/moddable.mjs sim   [--memory] [--fixed C,S,K] [--data DIR] [--build-only] [--port N] <device manifest> key=value...
//   node scripts/moddable.mjs esp32 --board <boards/name> <device manifest> key=value...
//   node scripts/moddable.mjs selftest [--port N] [selftest_tcp_port=N]
//   node scripts/moddable.mjs soak [--port N] soak_port=<refused port> [soak_connects=1000 soak_drops=100]
//
// --esp32-profile (sim, and always for soak) makes the simulator as strict as an ESP32 where it
// can: the XS heaps fixed at the ESP32 creation of hosts/moddable/manifest.json (no growth: too
// little memory aborts with "memory full", as the board does), and esp32_profile=1 for the
// firmware (the clock from 1970 until SNTP sets it).
//   node scripts/moddable.mjs bundle
//
// First the prebuild: esbuild turns the TypeScript entry modules into ES modules under
// build/moddable/ (ltx and events bundled in, the SDK's modules left as imports), and the PEM
// file named by ca=<path> becomes the resource ca.der (the SDK's TLS takes DER), and the public key
// named by update_key=<path> the resource update-key.bin. Then mcconfig,
// with the same key=value settings (ca=ca.der in place of the path). `sim` builds a debug build
// for the Linux simulator and runs it in mcsim, its trace on this terminal through the SDK's
// xsbug-log (under xvfb-run when there is no display). `esp32` builds for the board's target.
import { build } from "esbuild";
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate, createPublicKey } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
const out = join(root, "build/moddable");

/** The SDK's modules: left as imports for mcconfig to resolve. */
const SDK_MODULES = [
  "embedded:*", "mc/*", "appliance/*", "Resource", "time", "timer", "crypt", "hmac", "rng",
  "ssl/session", "ssl/cache", "net", "wifi", "instrumentation", "debug", "preference",
  "file", "ota", "ecdsa", "curve", "ecp", "http",
];

export class UsageError extends Error {}

export async function bundle() {
  mkdirSync(out, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: {
      firmware: "hosts/moddable/firmware.ts",
      "platform-esp32": "hosts/moddable/platform-esp32.ts",
      "platform-sim": "hosts/sim/platform.ts",
      "sim-wifi": "hosts/sim/wifi.ts",
      selftest: "hosts/moddable/selftest/selftest.ts",
      soak: "hosts/moddable/soak/soak.ts",
    },
    outdir: out,
    bundle: true,
    platform: "neutral",
    mainFields: ["module", "main"],
    format: "esm",
    target: "es2022",
    external: SDK_MODULES,
    logLevel: "warning",
  });
}

/** Writes the CA named by `ca=<pem path>` as build/moddable/resources/ca.der; returns the settings with ca=ca.der. */
export function prepareCa(settings) {
  const resources = join(out, "resources");
  rmSync(resources, { recursive: true, force: true });
  mkdirSync(resources, { recursive: true });
  const index = settings.findIndex((s) => s.startsWith("ca="));
  if (index < 0) return settings;
  const path = settings[index].slice(3);
  if (path.endsWith(".der") && !existsSync(path)) return settings; // a resource name already
  let der;
  try {
    der = new X509Certificate(readFileSync(path)).raw;
  } catch (error) {
    throw new UsageError(`ca=${path}: ${error.code === "ENOENT" ? "no such file" : "not a PEM or DER certificate"}`);
  }
  writeFileSync(join(resources, "ca.der"), der);
  return settings.map((s, i) => (i === index ? "ca=ca.der" : s));
}

/**
 * Writes the public key named by `update_key=<pem path>` (EC P-256) as the resource
 * update-key.bin, its uncompressed point (04 || x || y), which the firmware checks update
 * signatures with; returns the settings with update_key=update-key.bin. Call after prepareCa.
 */
export function prepareUpdateKey(settings) {
  const index = settings.findIndex((s) => s.startsWith("update_key="));
  if (index < 0 || settings[index] === "update_key=") return settings;
  const path = settings[index].slice("update_key=".length);
  let key;
  try {
    key = createPublicKey(readFileSync(path));
  } catch (error) {
    throw new UsageError(`update_key=${path}: ${error.code === "ENOENT" ? "no such file" : "not a PEM public key"}`);
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new UsageError(`update_key=${path}: not an EC P-256 public key (openssl ec -in update.key -pubout -out update.pub)`);
  }
  const { x, y } = key.export({ format: "jwk" });
  writeFileSync(join(out, "resources", "update-key.bin"), Buffer.concat([Buffer.of(4), Buffer.from(x, "base64url"), Buffer.from(y, "base64url")]));
  return settings.map((s, i) => (i === index ? "update_key=update-key.bin" : s));
}

export function sdk() {
  const moddable = process.env.MODDABLE;
  if (!moddable) throw new UsageError("MODDABLE is not set: install the Moddable SDK (README, \"Setting up the SDK (Linux)\") and export MODDABLE and PATH");
  const mcconfig = join(moddable, "build/bin/lin/release/mcconfig");
  if (!existsSync(mcconfig)) throw new UsageError(`no ${mcconfig}: build the SDK's tools (cd $MODDABLE/build/makefiles/lin && make)`);
  return { moddable, mcconfig };
}

/** The environment the SDK's tools run in: its bin directory first on PATH, then `extra`. */
function sdkEnv(extra = {}) {
  const { moddable } = sdk();
  return { ...process.env, PATH: `${join(moddable, "build/bin/lin/release")}:${process.env.PATH}`, ...extra };
}

function mcconfig(args) {
  console.error(`$ mcconfig ${args.join(" ")}`);
  const result = spawnSync(sdk().mcconfig, args, { stdio: "inherit", env: sdkEnv() });
  return result.status ?? 1;
}

/**
 * Builds the simulator app; returns the path of its mc.so. `fixed` ({ chunks: bytes, slots:
 * count, stack: slots }) builds it with heaps that cannot grow, as on an ESP32, to try a
 * `creation` in the simulator: the app aborts with "memory full" when they are too small.
 */
export async function buildSim({ manifest, settings, memory = false, fixed, data, outDir = join(out, "sdk") }) {
  await bundle();
  // An instrumented build is for the memory figures: the firmware traces them when memory_report is set.
  const resolved = prepareUpdateKey(prepareCa(memory && !settings.some((s) => s.startsWith("memory_report=")) ? [...settings, "memory_report=1"] : settings));
  if (fixed || data) {
    const name = basename(dirname(resolve(manifest)));
    const dir = join(out, fixed ? "fixed" : "data", name);
    mkdirSync(dir, { recursive: true });
    const wrapper = { include: [relative(dir, resolve(manifest))] };
    if (fixed) wrapper.creation = { chunk: { initial: fixed.chunks, incremental: 0 }, heap: { initial: fixed.slots, incremental: 0 }, stack: fixed.stack };
    // The simulator's files (the stored settings, the firmware partitions) go under
    // config.file.root, /tmp/ by default: shared by every simulator on the machine.
    if (data) {
      mkdirSync(data, { recursive: true });
      wrapper.config = { file: { root: `${resolve(data)}/` } };
    }
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(wrapper, null, "\t") + "\n");
    manifest = join(dir, "manifest.json");
  }
  mkdirSync(outDir, { recursive: true });
  const args = ["-d", ...(memory ? ["-i"] : []), "-m", "-p", "lin", "-t", "build", "-o", outDir, manifest, ...resolved];
  if (mcconfig(args) !== 0) throw new Error("mcconfig failed (see above)");
  const name = basename(dirname(resolve(manifest)));
  // -p lin builds into bin/lin/mc/debug/<app>/ (the simulator's default screen is "mc").
  const so = join(outDir, "bin/lin/mc/debug", name, "mc.so");
  if (!existsSync(so)) throw new Error(`mcconfig finished without ${so}`);
  return so;
}

/**
 * Starts mcsim with `so`, its trace through the SDK's xsbug-log on `port`; under xvfb-run when
 * there is no display. xsbug-log starts mcsim and ends with it; all of them run in a process
 * group of their own, which `stop()` ends (xvfb-run does not pass a signal on to its command).
 */
export function startSim(so, { port = 5002, output = "inherit" } = {}) {
  const { moddable } = sdk();
  const mcsim = join(moddable, "build/bin/lin/debug/mcsim");
  const simulator = existsSync(mcsim) ? mcsim : join(moddable, "build/bin/lin/release/mcsim");
  const log = join(moddable, "tools/xsbug-log/xsbug-log.js");
  const command = [process.execPath, log, simulator, join(moddable, "build/simulators"), so];
  const display = process.env.DISPLAY ? [] : ["xvfb-run", "-a"];
  const [file, ...args] = [...display, ...command];
  const child = spawn(file, args, {
    // No stdin: xsbug-log asks on it whether to kill whatever holds its port; without an answer it exits.
    stdio: ["ignore", output, output],
    detached: true,
    env: {
      ...process.env,
      // xsbug-log's one dependency (saxophone) comes from this project's node_modules.
      NODE_PATH: join(root, "node_modules"),
      XSBUG_LOG_PORT: String(port),
      XSBUG_PORT: String(port),
      XSBUG_HOST: "localhost",
    },
  });
  let stopped = false;
  const exited = new Promise((done) => child.on("exit", (code) => done(code ?? 0)));
  return {
    child,
    exited,
    stop(signal = "SIGTERM") {
      if (stopped || child.exitCode !== null) return exited;
      stopped = true;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
      return exited;
    },
  };
}

/** The ESP32 build's creation (hosts/moddable/manifest.json), as buildSim's `fixed`. */
export function esp32Creation() {
  const creation = JSON.parse(readFileSync(join(root, "hosts/moddable/manifest.json"), "utf8")).platforms.esp32.creation;
  return { chunks: creation.chunk.initial, slots: creation.heap.initial, stack: creation.stack };
}

/**
 * Builds hosts/moddable/soak on the ESP32 profile (fixed heaps, instrumented) and runs it in
 * mcsim: failed connects and Wi-Fi drops, with what is live after each batch. Exits 0 when it
 * finished; its "soak memory" lines are the figures.
 */
async function soak(port, settings) {
  const so = await buildSim({ manifest: join(root, "hosts/moddable/soak/manifest.json"), settings: ["esp32_profile=1", ...settings], memory: true, fixed: esp32Creation() });
  return runToEnd(so, port, "soak", 600_000);
}

/** Runs an app that ends by tracing "<name> done <failures>"; 0 when it reports none. */
async function runToEnd(so, port, name, timeoutMs) {
  const sim = startSim(so, { port, output: "pipe" });
  let text = "";
  const done = new RegExp(`${name} done (\\d+)`);
  const result = await new Promise((finish) => {
    const timer = setTimeout(() => finish(`no result within ${timeoutMs / 1000} s`), timeoutMs);
    const take = (chunk) => {
      process.stdout.write(chunk);
      text += chunk;
      const finished = done.exec(text) ?? /XS abort[^\n]*|#xsbug-log disconnected/.exec(text);
      if (finished) {
        clearTimeout(timer);
        finish(finished[1] === undefined ? finished[0] : Number(finished[1]));
      }
    };
    sim.child.stdout.on("data", take);
    sim.child.stderr.on("data", take);
  });
  await sim.stop();
  if (result === 0) return 0;
  console.error(typeof result === "number" ? `${name}: ${result} checks failed` : `${name}: ${result}`);
  return 1;
}

/**
 * Builds and runs hosts/moddable/selftest in mcsim: the Moddable host's digests, HMAC and the
 * core's PBKDF2 against published vectors, with timings. Exits 0 when every check passed.
 */
async function selftest(port, settings) {
  await bundle();
  const outDir = join(out, "sdk");
  mkdirSync(outDir, { recursive: true });
  if (mcconfig(["-d", "-m", "-p", "lin", "-t", "build", "-o", outDir, join(root, "hosts/moddable/selftest/manifest.json"), ...settings]) !== 0) throw new Error("mcconfig failed (see above)");
  return runToEnd(join(outDir, "bin/lin/mc/debug/selftest/mc.so"), port, "selftest", 60_000);
}

/** Reads a board manifest's target (build.BOARD_TARGET) and writes the app manifest joining board and device. */
function boardManifest(board, manifest) {
  const file = existsSync(join(board, "manifest.json")) ? join(board, "manifest.json") : board;
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--board ${board}: cannot read ${file} (${error.code ?? error.message})`);
  }
  const target = parsed.build?.BOARD_TARGET;
  if (!target) throw new UsageError(`${file}: no build.BOARD_TARGET (the mcconfig platform, e.g. "esp32/nodemcu")`);
  const name = basename(dirname(resolve(manifest)));
  const dir = join(out, "app", `${name}-${basename(resolve(dirname(file)))}`);
  mkdirSync(dir, { recursive: true });
  // mcconfig names the app after the manifest's folder.
  const app = join(dir, "manifest.json");
  writeFileSync(app, JSON.stringify({ include: [relative(dir, resolve(manifest)), relative(dir, resolve(file))] }, null, "\t") + "\n");
  return { target, app };
}

const USAGE = `usage:
  npm run sim -- [--esp32-profile] [--memory] [--fixed <chunk bytes>,<slots>,<stack slots>] [--data <folder for the simulator's files, default /tmp>] [--build-only] [--port <xsbug port, 5002>] <device manifest> key=value...
  npm run esp32 -- --board <boards/name> <device manifest> key=value...   (ssid=... password=... jid=... ...)
  node scripts/moddable.mjs selftest [--port <n>] [selftest_tcp_port=<loopback port that accepts>]   (the Moddable host's cryptography and TCP send room, in mcsim)
  node scripts/moddable.mjs soak [--port <n>] soak_port=<refused port> [soak_connects=1000] [soak_drops=100]   (ESP32 profile)`;

async function main(argv) {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith("--") && !a.includes("=")));
  const valueOf = (flag) => {
    const at = rest.indexOf(flag);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const board = valueOf("--board");
  const port = Number(valueOf("--port") ?? 5002);
  const valued = ["--board", "--port", "--fixed", "--data"];
  const known = new Set([...valued, "--memory", "--build-only", "--esp32-profile"]);
  const unknown = [...flags].filter((flag) => !known.has(flag));
  if (unknown.length) throw new UsageError(`unknown option ${unknown.join(", ")}\n${USAGE}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${valueOf("--port")}: not a port`);
  const positional = rest.filter((a, i) => !a.startsWith("--") && !valued.includes(rest[i - 1]));
  let fixed;
  if (valueOf("--fixed") !== undefined) {
    const [chunks, slots, stack] = valueOf("--fixed").split(",").map(Number);
    if (![chunks, slots, stack].every((n) => Number.isInteger(n) && n > 0)) throw new UsageError("--fixed <chunk bytes>,<slots>,<stack slots>, e.g. --fixed 65536,6144,512");
    fixed = { chunks, slots, stack };
  }
  if (flags.has("--esp32-profile") && !fixed) fixed = esp32Creation();
  const [manifest, ...settings] = positional;
  if (command === "selftest") {
    return selftest(port, positional);
  }
  if (command === "soak") {
    return soak(port, positional);
  }
  if (command === "bundle") {
    await bundle();
    console.error(`bundled into ${relative(process.cwd(), out)}`);
    return 0;
  }
  if (!manifest || manifest.includes("=") || (command !== "sim" && command !== "esp32")) throw new UsageError(USAGE);
  if (command === "sim") {
    const profile = flags.has("--esp32-profile") ? ["esp32_profile=1"] : [];
    const so = await buildSim({ manifest, settings: [...profile, ...settings], memory: flags.has("--memory"), fixed, data: valueOf("--data") });
    if (flags.has("--build-only")) {
      console.error(`built ${relative(process.cwd(), so)}`);
      return 0;
    }
    const sim = startSim(so, { port });
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void sim.stop());
    return sim.exited;
  }
  if (!board) throw new UsageError(`esp32 needs --board <boards/name>\n${USAGE}`);
  return buildEsp32({ board, manifest, settings });
}

/**
 * Builds for the board's ESP32 target. With ESP-IDF (IDF_PATH set), mcconfig -m builds and
 * flashes. Without it, mcconfig writes the makefile and then only its JavaScript targets are
 * made: every module compiled by xsc, preloaded and linked by xsl into mc.xs.c, and the
 * resources into mc.resources.c; the C compiler and the flashing need the toolchain.
 */
export async function buildEsp32({ board, manifest, settings }) {
  await bundle();
  const resolved = prepareUpdateKey(prepareCa(settings));
  const { target, app } = boardManifest(board, manifest);
  const outDir = join(out, "sdk");
  mkdirSync(outDir, { recursive: true });
  if (process.env.IDF_PATH) return mcconfig(["-m", "-p", target, "-o", outDir, app, ...resolved]);
  if (mcconfig(["-p", target, "-o", outDir, app, ...resolved]) !== 0) return 1;
  const name = basename(dirname(app));
  const tmp = join(outDir, "tmp", target, "release", name);
  const makefile = join(tmp, "makefile");
  // The makefile insists on an ESP-IDF git checkout to read its version from; an empty repository stands in.
  const stub = join(out, "no-idf");
  if (!existsSync(join(stub, ".git"))) {
    mkdirSync(stub, { recursive: true });
    for (const args of [["init", "-q"], ["-c", "user.name=build", "-c", "user.email=build@localhost", "commit", "-q", "--allow-empty", "-m", "stands in for ESP-IDF"]]) {
      if (spawnSync("git", args, { cwd: stub, stdio: "inherit" }).status !== 0) throw new Error("git is needed to stand in for ESP-IDF");
    }
  }
  const sdkconfig = join(tmp, `xsProj-esp32`, "build/config/sdkconfig.h");
  console.error("$ make (the JavaScript targets only: xsc, xsl, mcrez)");
  const made = spawnSync("make", ["-f", makefile, "-o", sdkconfig, join(tmp, "mc.xs.c"), join(tmp, "mc.resources.c")], {
    stdio: "inherit",
    env: sdkEnv({ IDF_PATH: stub }),
  });
  if (made.status !== 0) return made.status ?? 1;
  const size = (file) => `${Math.round(readFileSync(join(tmp, file)).length / 1024)} KB`;
  console.error(
    `The JavaScript for ${target} is compiled and preloaded: ${relative(process.cwd(), join(tmp, "mc.xs.c"))} (${size("mc.xs.c")}), ` +
      `resources in mc.resources.c (${size("mc.resources.c")}).\n` +
      "Not built: the C sources and the firmware image, and nothing was flashed: that needs ESP-IDF (IDF_PATH); see the README, \"ESP32 boards\".",
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`error: ${error.message}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
