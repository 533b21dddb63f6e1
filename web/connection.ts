// Logs the dashboard in to the hub over XMPP-over-WebSocket with @xmpp/client, and says in
// words what went wrong when it cannot.

import { client, type Client } from "@xmpp/client";
import { Jid } from "../src/xmpp/jid.js";
import { withoutStreamManagement } from "../hosts/node/peer-stream-management.js";

export interface LoginDetails {
  /** `owner@hub.test`, or `owner` completed with `domain`. */
  readonly jid: string;
  readonly password: string;
  /** ws://127.0.0.1:<port>/xmpp-websocket */
  readonly websocket: string;
  readonly domain: string;
}

/** What the user must fix to log in; the message says so. */
export class LoginError extends Error {
  override readonly name = "LoginError";
}

/** The account's bare JID from what was typed in the JID field. */
export function accountJid(typed: string, domain: string): Jid {
  const text = typed.trim();
  if (text === "") throw new LoginError("enter your JID, e.g. owner@" + (domain || "hub.test"));
  let jid: Jid;
  try {
    jid = Jid.parse(text.includes("@") || domain === "" ? text : `${text}@${domain}`);
  } catch (error) {
    throw new LoginError(`the JID "${text}" is not valid: ${(error as Error).message}`);
  }
  if (jid.local === "") throw new LoginError(`the JID "${text}" has no user part; enter e.g. owner@${jid.domain}`);
  return jid;
}

function failure(error: unknown, websocket: string, jid: Jid): LoginError {
  const { name, condition, message } = error as { name?: string; condition?: string; message?: string };
  if (name === "SASLError") {
    return new LoginError(`the hub refused ${jid.bare.toString()} with this password (${condition ?? message}); check both`);
  }
  if (name === "StreamError" && condition === "host-unknown") {
    return new LoginError(`the hub does not serve the domain ${jid.domain}; check the JID's domain`);
  }
  if (/ECONNERROR|WebSocket/i.test(message ?? "")) {
    return new LoginError(`cannot connect to ${websocket}: is the hub running with websocket=true, and is this its WebSocket URL?`);
  }
  return new LoginError(`login failed: ${message ?? String(error)}`);
}

/** Connects and logs in; resolves with the client online (reconnecting by itself from now on). */
export async function logIn(details: LoginDetails): Promise<Client> {
  const jid = accountJid(details.jid, details.domain);
  const websocket = details.websocket.trim();
  if (!/^wss?:\/\/\S+$/.test(websocket)) {
    throw new LoginError(`enter the hub's WebSocket URL, e.g. ws://127.0.0.1:5280/xmpp-websocket (npm run hub -- websocket=true prints it)`);
  }
  if (details.password === "") throw new LoginError(`enter the password of ${jid.toString()}`);
  const xmpp = client({
    service: websocket,
    domain: jid.domain,
    username: jid.local,
    password: details.password,
    // One resource per page, so that two open dashboards do not log each other out.
    resource: `dashboard-${Math.random().toString(36).slice(2, 8)}`,
  });
  // Until logged in, a failure is final and reported; afterwards a dropped stream is retried.
  xmpp.reconnect.stop();
  withoutStreamManagement(xmpp);
  const errors: unknown[] = [];
  const collect = (error: unknown) => errors.push(error);
  xmpp.on("error", collect);
  try {
    await xmpp.start();
  } catch (error) {
    await xmpp.stop().catch(() => undefined);
    throw failure(errors.find((e) => (e as Error).name === "SASLError") ?? error, websocket, jid);
  } finally {
    xmpp.off("error", collect);
  }
  xmpp.reconnect.start();
  return xmpp;
}
