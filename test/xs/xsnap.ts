// Builds the xsnap XS engine from the @agoric/xsnap sources and runs a test bundle on it,
// judging the run by test/xs/harness.ts's closing "N passed, N failed" line.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root: the nearest folder above this (built) file that holds a package.json. */
export const projectRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
})();

const xsnapPackage = join(projectRoot, "node_modules", "@agoric", "xsnap");
const platforms: Partial<Record<NodeJS.Platform, string>> = { linux: "lin", darwin: "mac" };

function onPath(command: string): boolean {
  if (command.includes("/")) return existsSync(command);
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function xsnapVersion(): string {
  const manifest = join(xsnapPackage, "package.json");
  if (!existsSync(manifest)) {
    throw new Error("@agoric/xsnap is not installed: run `npm install` (it is a devDependency that carries the XS sources)");
  }
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function platform(): string {
  const name = platforms[process.platform];
  if (!name) throw new Error(`xsnap builds on Linux and macOS only (the makefiles @agoric/xsnap ships); this is ${process.platform}`);
  return name;
}

/**
 * Which xsnap: "release" (quiet) unless XSNAP_GOAL=debug, whose stacks name file and line in the
 * bundle but which also prints a line for every exception thrown, caught or not.
 */
function goal(): "release" | "debug" {
  const wanted = process.env.XSNAP_GOAL || "release";
  if (wanted !== "release" && wanted !== "debug") throw new Error(`XSNAP_GOAL is "${wanted}"; use release or debug`);
  return wanted;
}

/** Where the binary lives: under build/, per package version, so an upgrade rebuilds it. */
export function xsnapPath(): string {
  return join(projectRoot, "build", "xsnap", xsnapVersion(), "bin", platform(), goal(), "xsnap");
}

/** Returns the xsnap binary, building it first (about 10 s) if it is not there yet. */
export function ensureXsnap(log: (line: string) => void = (line) => console.error(line)): string {
  const binary = xsnapPath();
  if (existsSync(binary)) return binary;
  const cc = process.env.CC || "cc";
  for (const tool of ["make", cc]) {
    if (!onPath(tool)) {
      throw new Error(
        `cannot build xsnap: \`${tool}\` was not found on PATH. Install a C toolchain ` +
          `(Debian/Ubuntu: apt-get install build-essential; macOS: xcode-select --install) and run again`,
      );
    }
  }
  log(`building xsnap (XS engine, ${goal()}) from @agoric/xsnap ${xsnapVersion()}...`);
  const started = Date.now();
  const jobs = Math.min(8, availableParallelism());
  const result = spawnSync(
    "make",
    [
      "-f", "xsnap.mk", `-j${jobs}`, `GOAL=${goal()}`,
      `MODDABLE=${join(xsnapPackage, "moddable")}`,
      // Writes objects and binary under build/ instead of into node_modules.
      `BUILD_DIR=${join(projectRoot, "build", "xsnap", xsnapVersion())}`,
    ],
    { cwd: join(xsnapPackage, "xsnap-native", "xsnap", "makefiles", platform()), encoding: "utf8" },
  );
  if (result.error || result.status !== 0 || !existsSync(binary)) {
    const why = result.error ? result.error.message : `make exited with ${result.status ?? result.signal}`;
    throw new Error(`building xsnap failed (${why}):\n${result.stdout ?? ""}${result.stderr ?? ""}`);
  }
  log(`built ${relative(process.cwd(), binary)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binary;
}

export interface XsRun {
  /** True when every test passed and nothing else went wrong. */
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  /** What went wrong, one sentence each; empty when ok. */
  problems: string[];
  /** Everything xsnap wrote, stdout then stderr. */
  output: string;
}

export interface XsRunOptions {
  /** Passes xsnap's output through as it comes (default true). */
  echo?: boolean;
  /** Stops xsnap after this long (default 20 minutes: XS runs these suites far slower than V8, and a
   * shared 2-core machine under load took close to 10 for the whole set). */
  timeoutMs?: number;
}

const closingLine = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm;

/** Judges a finished run; exported apart from running so each rule can be seen. */
export function judge(stdout: string, stderr: string, exit: number | null, signal: string | null, timedOutAfterMs?: number): XsRun {
  const problems: string[] = [];
  const closing = [...stdout.matchAll(closingLine)].at(-1);
  const [passed, failed, skipped] = closing ? [1, 2, 3].map((i) => Number(closing[i] ?? 0)) : [0, 0, 0];
  if (timedOutAfterMs !== undefined) {
    problems.push(
      `xsnap was still running after ${timedOutAfterMs / 1000} s and was stopped: ` +
        "something waits for an event that never comes; the last lines above show where it got to",
    );
  } else if (!closing) {
    problems.push(
      'the run ended without its closing "N passed, N failed" line: a suite threw while loading ' +
        "or the harness broke (see the output above)",
    );
  }
  if (closing && failed > 0) problems.push(`${failed} test(s) failed on XS`);
  if (closing && passed + failed === 0) problems.push("no tests ran on XS: the bundle holds no test/unit/**/*.test.ts suite");
  if (/^unhandled rejection: /m.test(stdout)) {
    problems.push('a promise was rejected and nothing handled it (the "unhandled rejection" line above)');
  }
  if (signal !== null && timedOutAfterMs === undefined) problems.push(`xsnap was killed by ${signal}`);
  else if (exit !== 0 && problems.length === 0) problems.push(`xsnap exited with code ${exit}`);
  return { ok: problems.length === 0, passed, failed, skipped, problems, output: stdout + stderr };
}

/** Runs a script bundle (an IIFE, see scripts/build.mjs) on xsnap and judges it. */
export function runOnXs(script: string, options: XsRunOptions = {}): Promise<XsRun> {
  const { echo = true, timeoutMs = 20 * 60_000 } = options;
  const binary = ensureXsnap();
  // xsnap's stdout is a pipe, so C stdio would hold lines back until exit, and lose them if
  // the run must be stopped; stdbuf (GNU coreutils) makes it flush each line.
  const [command, args] = onPath("stdbuf")
    ? ["stdbuf", ["-oL", "-eL", binary, "-s", script]]
    : [binary, ["-s", script]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${command}: ${error.message}`));
    });
    child.on("close", (exit, signal) => {
      clearTimeout(timer);
      resolve(judge(stdout, stderr, exit, signal, timedOut ? timeoutMs : undefined));
    });
  });
}
