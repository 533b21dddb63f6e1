// Where a device asks for the time, in order: the configured `sntp` server, the hub (the XMPP
// server's host), the Wi-Fi router (where the runtime can tell its address), then the public
// pool (the `sntp_pool` key, pool.ntp.org unless set; "" leaves it out). Most hubs and home routers serve no NTP, so one source alone would leave the
// clock unset for good; the list is tried in order until one answers.

import type { Endpoint } from "../host.js";
import { parseServer } from "./config.js";

/** One place to ask, with the words the trace uses for it. */
export interface SntpSource {
  readonly endpoint: Endpoint;
  /** "the sntp key", "the hub", "the Wi-Fi router", "the sntp_pool key". */
  readonly role: string;
}

export const PUBLIC_NTP = "pool.ntp.org";
const NTP_PORT = 123;

export interface SntpSourceOptions {
  /** The `sntp` key: `host[:port]`, or empty/undefined when not set. */
  configured: string | undefined;
  /** The XMPP server's host. */
  hub: string;
  /** The Wi-Fi router's address, where the runtime can tell (on ESP32: the DNS server DHCP gave). */
  gateway?: string | undefined;
  /** The last resort, `host[:port]`; default pool.ntp.org, "" for none (a network without Internet, tests). */
  pool?: string | undefined;
}

/** The sources to try, in order, without repeats (the same host:port listed once, under its first role). */
export function sntpSources(options: SntpSourceOptions): SntpSource[] {
  const candidates: SntpSource[] = [];
  if (options.configured) candidates.push({ endpoint: parseServer(options.configured, options.hub, { key: "sntp", port: NTP_PORT }), role: "the sntp key" });
  candidates.push({ endpoint: { host: options.hub, port: NTP_PORT }, role: "the hub" });
  if (options.gateway) candidates.push({ endpoint: { host: options.gateway, port: NTP_PORT }, role: "the Wi-Fi router" });
  const pool = options.pool ?? PUBLIC_NTP;
  if (pool) candidates.push({ endpoint: parseServer(pool, PUBLIC_NTP, { key: "sntp_pool", port: NTP_PORT }), role: "the sntp_pool key" });
  const seen = new Set<string>();
  return candidates.filter((source) => {
    const key = `${source.endpoint.host.toLowerCase()}:${source.endpoint.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function describeSource(source: SntpSource): string {
  return `${source.endpoint.host}:${source.endpoint.port} (${source.role})`;
}
