// The dashboard command's `key=value` settings: where it listens, and what its login form is
// filled in with (the hub's WebSocket endpoint, the domain, optionally the owner's account).

import { ConfigError } from "../../../src/app/config.js";
import { Jid } from "../../../src/xmpp/jid.js";

export interface DashboardSettings {
  /** The HTTP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** What the page's login form starts with; every part may be changed there. */
  readonly login: LoginDefaults;
}

/** Sent to the page as /config.json. */
export interface LoginDefaults {
  readonly websocket: string;
  readonly domain: string;
  readonly jid: string;
  readonly password: string;
}

export const DASHBOARD_KEYS: Readonly<Record<string, string>> = {
  websocket: "the hub's XMPP-over-WebSocket endpoint, e.g. websocket=ws://127.0.0.1:5280/xmpp-websocket (npm run hub -- websocket=true prints it)",
  domain: "the XMPP domain a JID without one is completed with; default: the jid's, else hub.test",
  jid: "the owner's JID the login form starts with, e.g. jid=owner@hub.test",
  xmpp_password: "the owner's password the login form starts with (kept on 127.0.0.1, sent only to the page)",
  port: "the dashboard's HTTP port on 127.0.0.1; default 0 (a free one)",
};

const DEFAULT_DOMAIN = "hub.test";

/** Reads `key=value` arguments; throws ConfigError naming the key and what to give instead. */
export function readDashboardSettings(argv: readonly string[]): DashboardSettings {
  const given: Record<string, string> = {};
  for (const argument of argv) {
    const at = argument.indexOf("=");
    const key = at > 0 ? argument.slice(0, at) : argument;
    if (at <= 0 || !(key in DASHBOARD_KEYS)) {
      throw new ConfigError(key, `unknown argument ${JSON.stringify(argument)}; expected key=value with key one of: ${Object.keys(DASHBOARD_KEYS).join(", ")}`);
    }
    given[key] = argument.slice(at + 1).trim();
  }
  const port = given.port ?? "0";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new ConfigError("port", `"${port}" is not a port number (0 to 65535), e.g. port=8080`);

  const websocket = given.websocket ?? "";
  if (websocket !== "" && !/^wss?:\/\/[^\s/]+(\/\S*)?$/.test(websocket)) {
    throw new ConfigError("websocket", `"${websocket}" is not a ws:// or wss:// URL, e.g. websocket=ws://127.0.0.1:5280/xmpp-websocket`);
  }
  let jid = given.jid ?? "";
  let jidDomain: string | undefined;
  if (jid !== "") {
    let parsed: Jid;
    try {
      parsed = Jid.parse(jid);
    } catch (error) {
      throw new ConfigError("jid", (error as Error).message);
    }
    if (parsed.local === "") throw new ConfigError("jid", `"${jid}" has no local part; give the owner's account, e.g. jid=owner@${parsed.domain}`);
    jid = parsed.toString();
    jidDomain = parsed.domain;
  }
  const domain = given.domain ?? jidDomain ?? DEFAULT_DOMAIN;
  if (!/^[a-z0-9.-]+$/i.test(domain)) throw new ConfigError("domain", `"${domain}" is not a domain name, e.g. domain=${DEFAULT_DOMAIN}`);
  return {
    port: Number(port),
    login: { websocket, domain, jid, password: given.xmpp_password ?? "" },
  };
}
