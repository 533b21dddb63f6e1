// Which SASL mechanism to use, from what the server offers, and making it.

import { SASLError } from "./error.js";
import type { Credentials, SASLHost, SASLMechanism } from "./mechanism.js";
import type { SaltedPasswordCache } from "./pbkdf2.js";
import { Plain } from "./plain.js";
import { Scram } from "./scram.js";

/** Strongest first. */
export const SCRAM_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-1"] as const;
export type MechanismName = (typeof SCRAM_MECHANISMS)[number] | "PLAIN";

const WANTED = "this device needs SCRAM-SHA-256, SCRAM-SHA-1, or PLAIN over TLS";

/**
 * The mechanism to use among those the server `offered` (names as in <mechanisms/>). PLAIN
 * sends the password itself: only over an encrypted connection (`secure`), and only when
 * no SCRAM is offered. Throws SASLError "no-acceptable-mechanism" saying what was offered.
 */
export function chooseMechanism(offered: readonly string[], { secure }: { secure: boolean }): MechanismName {
  for (const name of SCRAM_MECHANISMS) if (offered.includes(name)) return name;
  if (offered.includes("PLAIN")) {
    if (secure) return "PLAIN";
    throw new SASLError(
      "no-acceptable-mechanism",
      `the server offers only ${offered.join(", ")} on a connection that is not encrypted; this device sends a password with PLAIN only over TLS: enable STARTTLS, or SCRAM-SHA-256 or SCRAM-SHA-1, on the server`,
    );
  }
  const what = offered.length === 0 ? "no SASL mechanism" : `only ${offered.join(", ")}`;
  throw new SASLError("no-acceptable-mechanism", `the server offers ${what}; ${WANTED}`);
}

export interface MechanismOptions extends Credentials {
  host: SASLHost;
  /** Keep one per client so that reconnects skip SCRAM's key derivation. */
  cache?: SaltedPasswordCache;
}

/** A fresh exchange of the named mechanism (one per authentication attempt). */
export function createMechanism(name: MechanismName, { host, username, password, cache }: MechanismOptions): SASLMechanism {
  switch (name) {
    case "SCRAM-SHA-256":
      return new Scram("SHA-256", { host, username, password, cache });
    case "SCRAM-SHA-1":
      return new Scram("SHA-1", { host, username, password, cache });
    case "PLAIN":
      return new Plain({ username, password });
  }
  throw new SASLError("invalid-mechanism", `${String(name)} is not a mechanism this device implements; ${WANTED}`);
}
