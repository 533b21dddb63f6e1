// Logs the controller in to the hub as the owner with @xmpp/client: STARTTLS required, the
// server's certificate checked against the configured CA, and every failure told in words.

import { type Client, client } from "@xmpp/client";
import { trustHubCa, withoutResetOnClose } from "../peer-client.js";
import { withoutStreamManagement } from "../peer-stream-management.js";
import type { ControllerSettings } from "./settings.js";

/** The hub could not be reached, or would not let us in; the message says what to check. */
export class LoginError extends Error {
  override readonly name = "LoginError";
}

export async function logIn(settings: ControllerSettings): Promise<Client> {
  const { jid, password, server, timeoutMs } = settings;
  const where = `${server.host}:${server.port}`;
  trustHubCa(jid.domain, settings.caPem);
  const xmpp = client({
    service: `xmpp://${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port}`,
    domain: jid.domain,
    resource: jid.resource,
    // Its default of 2 s per step fails logins on a busy machine with an empty TimeoutError.
    timeout: timeoutMs,
    // A function in place of the credentials decides when and how to authenticate: never
    // before TLS, where even SCRAM would show the hub's challenge to anyone on the path.
    credentials: async (authenticate, mechanisms, _fast, entity) => {
      if (!entity.isSecure()) throw new LoginError(`${where} did not offer STARTTLS; the controller never sends the password in the clear`);
      const mechanism = mechanisms.find((name) => name !== "ANONYMOUS");
      if (mechanism === undefined) throw new LoginError(`${where} offers no SASL mechanism the controller knows (${mechanisms.join(", ") || "none"})`);
      await authenticate({ username: jid.local, password }, mechanism);
    },
  });
  xmpp.reconnect.stop();
  withoutResetOnClose(withoutStreamManagement(xmpp));
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    xmpp.on("error", (error: Error) => reject((failure ??= error)));
    xmpp.on("disconnect", () => reject((failure ??= new LoginError(`${where} closed the connection before the login finished`))));
  });
  failed.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LoginError(`no login at ${where} within ${timeoutMs / 1000} s; is the hub running (npm run hub) and is server= right?`)), timeoutMs);
  });
  try {
    await Promise.race([xmpp.start(), failed, timeout]);
  } catch (error) {
    abandon(xmpp);
    throw explain(error as Error & { code?: string; condition?: string }, settings);
  } finally {
    clearTimeout(timer);
  }
  return xmpp;
}

/** Drops the connection without the closing handshake: a server that failed us may never answer one. */
function abandon(xmpp: Client): void {
  xmpp.removeAllListeners();
  xmpp.on("error", () => {});
  // A net.Socket before STARTTLS; after it, @xmpp/tls's wrapper around the TLS socket.
  const socket = (xmpp as unknown as { socket: { destroy?(): void; socket?: { destroy(): void } | null } | null }).socket;
  socket?.socket?.destroy();
  socket?.destroy?.();
}

function explain(error: Error & { code?: string; condition?: string }, settings: ControllerSettings): Error {
  if (error instanceof LoginError) return error;
  const { jid, server, ca } = settings;
  const where = `${server.host}:${server.port}`;
  const code = error.code ?? "";
  if (code === "ECONNREFUSED") return new LoginError(`cannot connect to ${where}: connection refused; is the hub running (npm run hub) and is server= right?`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new LoginError(`cannot find the host ${server.host}; set server=host:port (npm run hub prints it)`);
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new LoginError(`the server's certificate is not for ${jid.domain}: ${error.message}; the JID's domain must be the hub's domain`);
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return new LoginError(`the server's certificate is not signed by ca=${ca} (${code}); give the hub's CA certificate, e.g. ca=.hub/certs/ca.crt`);
  }
  if (error.name === "SASLError") {
    return new LoginError(`the hub refused the credentials of ${jid.bare} (${error.condition ?? error.message}); check jid and xmpp_password`);
  }
  if (error.name === "StreamError" && error.condition === "host-unknown") {
    return new LoginError(`the hub at ${where} does not serve ${jid.domain} (host-unknown); check the domain of jid`);
  }
  if (error.message === "STARTTLS_FAILURE") return new LoginError(`${where} refused STARTTLS; the controller never sends the password in the clear`);
  return new LoginError(`cannot log in to ${where} as ${jid.bare}: ${error.message}`);
}
