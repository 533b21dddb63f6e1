// The hub command's accounts: passwords made up once per hub directory and kept in accounts.json,
// so the command lines printed for devices stay valid across restarts.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Account } from "./prosody.js";

export const ACCOUNTS_FILE = "accounts.json";
/** One file per account holding its password, for `xmpp_password_file=`: the lines the hub prints
 * (and the commands people copy from them, which `ps` shows) name a file, not the password. */
export const PASSWORDS_DIR = "passwords";

/** Writes each account's password file under `dir` (readable by its owner only) and gives their paths by account. */
export function writePasswordFiles(dir: string, accounts: readonly Account[]): Map<string, string> {
  const folder = join(dir, PASSWORDS_DIR);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const paths = new Map<string, string>();
  for (const { user, password } of accounts) {
    const path = join(folder, user);
    writeFileSync(path, `${password}\n`, { mode: 0o600 });
    paths.set(user, path);
  }
  return paths;
}

/** One account per name in `users`, with the password stored in `dir` or, for a name not stored yet, a new one. */
export function loadAccounts(dir: string, users: readonly string[]): Account[] {
  const path = join(dir, ACCOUNTS_FILE);
  const stored = existsSync(path) ? readStored(path) : {};
  let changed = false;
  const accounts = users.map((user) => {
    let password = stored[user];
    if (password === undefined) {
      // 96 random bits in base64url: no character a shell or a key=value override would mangle.
      password = randomBytes(12).toString("base64url");
      stored[user] = password;
      changed = true;
    }
    return { user, password };
  });
  if (changed) writeFileSync(path, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
  return accounts;
}

/** The accounts stored in `dir` (none when it has no accounts.json), read only. */
export function storedAccounts(dir: string): Record<string, string> {
  const path = join(dir, ACCOUNTS_FILE);
  return existsSync(path) ? readStored(path) : {};
}

function readStored(path: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`hub: ${path} is not valid JSON (${(error as Error).message}); fix it or delete it to get new passwords`);
  }
  const valid =
    typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.values(value).every((password) => typeof password === "string" && password.length > 0);
  if (!valid) {
    throw new Error(`hub: ${path} must map account names to non-empty password strings; fix it or delete it to get new passwords`);
  }
  return value as Record<string, string>;
}
