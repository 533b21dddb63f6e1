// The device's connection settings from the manifest's flat `config` keys (DESIGN.md), checked
// and typed. Values may arrive as strings (command-line overrides), so everything is coerced here.

import type { Endpoint } from "../host.js";
import { Jid } from "../xmpp/jid.js";

export interface ConnectionConfig {
  jid: Jid;
  password: string;
  server: Endpoint;
  /** The `ca` value as given: a PEM path on the desktop, a resource name on a device. */
  ca: string;
  /** Bare JIDs allowed to command the device. */
  owners: Jid[];
  /** `max_command_age_s`: a command delayed on its way (a XEP-0203 stamp) longer than this is refused as stale (default 30 s). */
  maxCommandAgeMs: number;
  /** `dead_link_s`: a link silent this long is given up and the device reconnects (default 30 s; 0: never). */
  deadLinkMs: number;
}

/** A configuration value that is missing or wrong; `key` names it so the user knows what to fix. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly key: string;

  constructor(key: string, problem: string) {
    super(`config key "${key}": ${problem}`);
    this.key = key;
  }
}

export type FlatConfig = Readonly<Record<string, unknown>>;

export function readConnectionConfig(config: FlatConfig): ConnectionConfig {
  const jid = parseJid("jid", required(config, "jid", "the device's JID, e.g. jid=microwave@hub.local"));
  const password = required(config, "xmpp_password", "the device account's password, e.g. xmpp_password=secret");
  const ca = required(config, "ca", "the CA certificate that signed the server's certificate, e.g. ca=.hub/certs/ca.crt");
  const server = parseServer(optional(config, "server"), jid.domain, { allowDirectTls: true });
  const ownerText = optional(config, "owner") ?? "";
  const owners = ownerText
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const owner = parseJid("owner", part);
      if (owner.resource) throw new ConfigError("owner", `"${part}" has a resource; owners are bare JIDs like owner@${jid.domain}`);
      return owner;
    });
  const maxCommandAgeMs = seconds(config, "max_command_age_s", 30, { min: 1 }, "e.g. max_command_age_s=30");
  const deadLinkMs = seconds(config, "dead_link_s", 30, { min: 0 }, "e.g. dead_link_s=30, or 0 to never give up a silent link");
  if (deadLinkMs > 0 && deadLinkMs < 2_000) throw new ConfigError("dead_link_s", `${deadLinkMs / 1000} is too short to tell a slow link from a dead one: use 2 or more (or 0 to never give up a silent link)`);
  return { jid, password, server, ca, owners, maxCommandAgeMs, deadLinkMs };
}

/** A whole number of seconds (a string from the command line or a number), in ms. */
function seconds(config: FlatConfig, key: string, fallback: number, { min }: { min: number }, example: string): number {
  const text = optional(config, key);
  if (text === undefined || text === "") return fallback * 1000;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > 86_400) throw new ConfigError(key, `"${text}" is not a whole number of seconds from ${min} to 86400: ${example}`);
  return value * 1000;
}

/** Direct TLS (XEP-0368) is asked for with this prefix; its port defaults to 5223. */
const DIRECT_TLS = "tls://";

/**
 * `host[:port]`, `[v6]:port`; without it, `host` on the default port. `key` names the setting in
 * errors; the defaults are the XMPP server's (port 5222), also used for other endpoints (sntp, 123).
 * With `allowDirectTls` (the XMPP server), `tls://host[:port]` asks for direct TLS, on 5223 by default.
 */

export function parseServer(text: string | undefined, host: string, { key = "server", port: defaultPort = 5222, allowDirectTls = false } = {}): Endpoint {
  if (text === undefined || text === "") return { host, port: defaultPort };
  const directTls = allowDirectTls && text.toLowerCase().startsWith(DIRECT_TLS);
  const address = directTls ? text.slice(DIRECT_TLS.length) : text;
  if (address === "") return { host, port: 5223, directTls };
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s\[\]/]+))(?::(\d{1,5}))?$/.exec(address);
  if (!match) throw new ConfigError(key, `"${text}" is not host or host:port${allowDirectTls ? ", or tls://host[:port] for direct TLS" : ""}`);
  const port = match[3] === undefined ? (directTls ? 5223 : defaultPort) : Number(match[3]);
  if (port < 1 || port > 65535) throw new ConfigError(key, `port ${match[3]} is not between 1 and 65535`);
  const endpoint: Endpoint = { host: (match[1] ?? match[2])!, port };
  if (directTls) endpoint.directTls = true;
  return endpoint;
}

function parseJid(key: string, text: string): Jid {
  try {
    return Jid.parse(text);
  } catch (error) {
    throw new ConfigError(key, (error as Error).message);
  }
}

function optional(config: FlatConfig, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new ConfigError(key, `expected text, got ${typeof value}`);
  return String(value).trim();
}

function required(config: FlatConfig, key: string, what: string): string {
  const value = optional(config, key);
  if (!value) throw new ConfigError(key, `missing: ${what}`);
  return value;
}
