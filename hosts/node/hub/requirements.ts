// The programs the hub runs (Prosody, openssl), the Debian packages that provide them, and their installation.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface Requirement {
  readonly program: string;
  readonly debianPackage: string;
}

export const REQUIREMENTS: readonly Requirement[] = Object.freeze([
  { program: "prosody", debianPackage: "prosody" },
  { program: "prosodyctl", debianPackage: "prosody" },
  { program: "openssl", debianPackage: "openssl" },
]);

/** What the ejabberd hub runs: Debian's ejabberd brings Erlang (erl, epmd) with it. */
export const EJABBERD_REQUIREMENTS: readonly Requirement[] = Object.freeze([
  { program: "ejabberdctl", debianPackage: "ejabberd" },
  { program: "erl", debianPackage: "ejabberd" },
  { program: "epmd", debianPackage: "ejabberd" },
  { program: "openssl", debianPackage: "openssl" },
]);

/** The full path of `program` on $PATH (plus the sbin directories a non-login root shell may lack). */
export function findProgram(program: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const extra of ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory: keep looking
    }
  }
  return undefined;
}

/** The Debian packages to install so that every program the hub runs is present; empty when all are. */
export function missingPackages(requirements: readonly Requirement[] = REQUIREMENTS): string[] {
  const packages = new Set<string>();
  for (const { program, debianPackage } of requirements) {
    if (findProgram(program) === undefined) packages.add(debianPackage);
  }
  return [...packages];
}

/** The command a user runs to install `packages` (with sudo unless they are root). */
export function installCommand(packages: readonly string[], asRoot = isRoot()): string {
  const sudo = asRoot ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(" ")}`;
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Runs apt-get (as root) to install `packages`, its output going to ours. */
export async function installPackages(packages: readonly string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update"], env);
  await run("apt-get", ["install", "-y", ...packages], env);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    child.once("error", (error) => reject(new Error(`could not run ${command}: ${error.message}`)));
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** Installs the server and openssl from Debian packages when we are root; otherwise says how to. */
export async function ensureRequirements(command: string, requirements: readonly Requirement[] = REQUIREMENTS): Promise<boolean> {
  const missing = missingPackages(requirements);
  if (missing.length === 0) return true;
  if (!isRoot()) {
    console.error(`${command}: ${missing.join(" and ")} not installed. Install with:\n  ${installCommand(missing, false)}`);
    return false;
  }
  console.log(`${command}: ${missing.join(" and ")} not installed; running: ${installCommand(missing, true)}`);
  await installPackages(missing);
  const still = missingPackages(requirements);
  if (still.length > 0) {
    console.error(`${command}: ${still.join(" and ")} still missing after apt-get; install ${still.join(" ")} by hand`);
    return false;
  }
  return true;
}
