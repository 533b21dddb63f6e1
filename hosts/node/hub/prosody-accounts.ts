// Prosody's accounts written as the files its internal_hashed provider keeps, SCRAM keys and all:
// thousands of accounts in seconds, where `prosodyctl register` starts one Lua process per account.
import { createHash, createHmac, pbkdf2, randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { lua } from "./prosody-config.js";

export interface HashedAccount {
  readonly user: string;
  readonly password: string;
}

/** RFC 5802's floor, and what the hub's config tells Prosody to use for passwords it sets itself. */
export const ITERATIONS = 4096;

const derive = promisify(pbkdf2);
// PBKDF2 runs on libuv's thread pool: this many at once keep it busy without queueing thousands.
const PARALLEL = 8;

/** Prosody's file-name encoding (util/datamanager): every non-alphanumeric byte as %xx. */
export function prosodyFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Creates each account, or sets its password again, in `dataDir` for `domain` (SCRAM-SHA-1, as
 * Prosody 0.12's internal_hashed stores it). Prosody reads these files at each login. */
export async function writeProsodyAccounts(dataDir: string, domain: string, accounts: readonly HashedAccount[]): Promise<void> {
  const dir = join(dataDir, prosodyFileName(domain), "accounts");
  mkdirSync(dir, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const { user, password } = accounts[next++]!;
      const salt = randomUUID();
      const salted = await derive(password.normalize("NFKC"), salt, ITERATIONS, 20, "sha1");
      const clientKey = createHmac("sha1", salted).update("Client Key").digest();
      const fields = {
        stored_key: createHash("sha1").update(clientKey).digest("hex"),
        server_key: createHmac("sha1", salted).update("Server Key").digest("hex"),
        salt,
      };
      const text = `return {\n${Object.entries(fields).map(([key, value]) => `\t[${lua(key)}] = ${lua(value)};\n`).join("")}\t["iteration_count"] = ${ITERATIONS};\n};\n`;
      const path = join(dir, `${prosodyFileName(user)}.dat`);
      // Renamed into place, so Prosody never reads a half-written account.
      writeFileSync(`${path}.new`, text, { mode: 0o600 });
      renameSync(`${path}.new`, path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, accounts.length) }, worker));
}

/** Writes rosters in which `owner` and each of `devices` see each other's presence (subscription
 * "both"), as an owner who added every device would have: the owner's client learns every
 * device's state from presence, and no device's login asks the owner again. Replaces the rosters
 * of these accounts. */
export function writeProsodyRosters(dataDir: string, domain: string, owner: string, devices: readonly string[]): void {
  const dir = join(dataDir, prosodyFileName(domain), "roster");
  mkdirSync(dir, { recursive: true });
  const item = (user: string) => `\t[${lua(`${user}@${domain}`)}] = { ["subscription"] = "both"; ["groups"] = {}; };\n`;
  const roster = (users: readonly string[]) => `return {\n\t[false] = { ["version"] = 1; ["pending"] = {}; };\n${users.map(item).join("")}};\n`;
  const write = (user: string, text: string) => {
    const path = join(dir, `${prosodyFileName(user)}.dat`);
    writeFileSync(`${path}.new`, text, { mode: 0o600 });
    renameSync(`${path}.new`, path);
  };
  write(owner, roster(devices));
  const ownerRoster = roster([owner]);
  for (const device of devices) write(device, ownerRoster);
}
