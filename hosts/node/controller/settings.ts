// The controller's settings: the owner account's keys as a device has them (jid, xmpp_password,
// server, ca), read and checked with the same messages, plus its own time limits.

import { readFileSync } from "node:fs";
import { ConfigError, parseServer } from "../../../src/app/config.js";
import type { Endpoint } from "../../../src/host.js";
import { Jid } from "../../../src/xmpp/jid.js";

export interface ControllerSettings {
  /** The owner's JID; a resource of our own when none was given. */
  readonly jid: Jid;
  readonly password: string;
  readonly server: Endpoint;
  /** The `ca` path as given, and the PEM read from it. */
  readonly ca: string;
  readonly caPem: string;
  /** How long to wait for a device's reply and receipt, and for the login. */
  readonly timeoutMs: number;
  /** How long to wait for contacts' presence. */
  readonly waitMs: number;
}

/** `resource` is used when the JID has none; give each run its own, so that runs side by side do not end each other's sessions. */
export function readControllerSettings(settings: Readonly<Record<string, string>>, resource: string): ControllerSettings {
  const jidText = required(settings, "jid", "your (the owner's) JID, e.g. jid=owner@hub.test");
  let jid: Jid;
  try {
    jid = Jid.parse(jidText);
  } catch (error) {
    throw new ConfigError("jid", (error as Error).message);
  }
  if (jid.local === "") throw new ConfigError("jid", `"${jidText}" has no local part; give the owner's account, e.g. jid=owner@${jid.domain}`);
  if (jid.resource === "") jid = new Jid(jid.local, jid.domain, resource);
  const password = required(settings, "xmpp_password", "the owner account's password, e.g. xmpp_password=secret");
  const ca = required(settings, "ca", "the CA certificate that signed the server's certificate, e.g. ca=.hub/certs/ca.crt");
  const server = parseServer(settings.server?.trim(), jid.domain);
  let caPem: string;
  try {
    caPem = readFileSync(ca, "utf8");
  } catch (error) {
    throw new ConfigError("ca", `cannot read ${ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!caPem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError("ca", `${ca} holds no PEM certificate`);
  return {
    jid,
    password,
    server,
    ca,
    caPem,
    timeoutMs: seconds(settings, "timeout", 15),
    waitMs: seconds(settings, "wait", 3),
  };
}

function required(settings: Readonly<Record<string, string>>, key: string, what: string): string {
  const value = settings[key]?.trim();
  if (!value) throw new ConfigError(key, `missing: ${what}`);
  return value;
}

function seconds(settings: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const text = settings[key]?.trim();
  if (text === undefined || text === "") return fallback * 1000;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0 || Number(text) > 3600) {
    throw new ConfigError(key, `"${text}" is not a number of seconds between 0 and 3600, e.g. ${key}=${fallback}`);
  }
  return Math.round(Number(text) * 1000);
}
