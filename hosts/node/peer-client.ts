// Connects @xmpp/client (a peer nobody here wrote: the owner console, the tests) to a hub, trusting the hub's own CA.
import tls from "node:tls";
import { type Client, client } from "@xmpp/client";
import type { Account, Hub } from "./hub/prosody.js";
import { withoutStreamManagement } from "./peer-stream-management.js";

const trustedCas = new Map<string, Set<string>>();
let plainConnect: typeof tls.connect | undefined;

/**
 * @xmpp/client 0.14 upgrades to TLS with `tls.connect({ socket, host: domain })` and accepts no
 * TLS options, and Node 20 reads NODE_EXTRA_CA_CERTS only at start-up. So the hub's CA is added
 * to exactly those calls: ones whose `host` is the hub's domain and that bring no server name
 * or trust settings of their own. Every other TLS connection in the process is left as it was.
 */
export function trustHubCa(domain: string, caPem: string): void {
  let cas = trustedCas.get(domain);
  if (cas === undefined) trustedCas.set(domain, (cas = new Set()));
  cas.add(caPem);
  if (plainConnect !== undefined) return;
  const original = (plainConnect = tls.connect);
  tls.connect = function connectTrustingHubs(...args: unknown[]) {
    const [options] = args;
    if (typeof options === "object" && options !== null) {
      const { host, servername, ca, secureContext } = options as tls.ConnectionOptions;
      const hubCas = host === undefined ? undefined : trustedCas.get(host);
      if (hubCas !== undefined && servername === undefined && ca === undefined && secureContext === undefined) {
        args[0] = { ...options, ca: [...hubCas] };
      }
    }
    return Reflect.apply(original, tls, args) as tls.TLSSocket;
  } as typeof tls.connect;
}

const PEER_TIMEOUT_MS = 15_000;

/** @xmpp/connection's statuses from the moment the client has written its `</stream:stream>`. */
const STREAM_ENDING = new Set(["closing", "close", "disconnecting"]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE"]);

interface ClosingEntity {
  readonly status: string;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/**
 * ejabberd closes its socket as soon as it has answered the client's `</stream:stream>`, so the
 * TLS close_notify that @xmpp/connection's `socket.end()` sends next can meet a closed socket, and
 * the kernel answers it with a reset. The socket's error reaches the entity as an 'error' event,
 * which throws out of the socket when nothing listens: 14 of 600 stops on a loaded machine, and a
 * failed CI run. Both sides had ended the stream by then, so a reset or a broken pipe in those
 * statuses is dropped; every other error is emitted as before.
 */
export function withoutResetOnClose<T extends object>(xmpp: T): T {
  const entity = xmpp as unknown as ClosingEntity;
  const emit = entity.emit;
  entity.emit = function emitUnlessClosingReset(this: ClosingEntity, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "error" && STREAM_ENDING.has(entity.status) && RESET_CODES.has(String((args[0] as { code?: unknown } | undefined)?.code))) return false;
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  };
  return xmpp;
}

export interface HubClientOptions {
  readonly resource?: string;
  /** @xmpp/client reconnects after a lost connection by default; tests usually want it not to. */
  readonly reconnect?: boolean;
}

/** A client for `account` on `hub` (STARTTLS to 127.0.0.1, server name = the hub's domain); call start(). */
export function hubClient(hub: Pick<Hub, "domain" | "host" | "c2sPort" | "caPem">, account: Account, options: HubClientOptions = {}): Client {
  trustHubCa(hub.domain, hub.caPem);
  const xmpp = client({
    service: `xmpp://${hub.host}:${hub.c2sPort}`,
    domain: hub.domain,
    username: account.user,
    password: account.password,
    ...(options.resource !== undefined ? { resource: options.resource } : {}),
    // Each stream open and each answer of the login may take this long (xmpp.js waits 2 s by
    // default): a peer logging in beside devices that do their PBKDF2 at the same moment, on a
    // loaded machine, missed it and its start() failed with a bare TimeoutError.
    timeout: PEER_TIMEOUT_MS,
  });
  if (options.reconnect !== true) xmpp.reconnect.stop();
  return withoutResetOnClose(withoutStreamManagement(xmpp));
}
