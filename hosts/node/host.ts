// The Host of the Node.js desktop: TCP from node:net, STARTTLS with node:tls over the same
// socket, digests and randomness from node:crypto, timers from the event loop.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { CertificateError, type Connection, type ConnectionHandlers, type DigestAlgorithm, type Endpoint, type Host, type SettingsStore } from "../../src/host.js";

export interface NodeHostOptions {
  /** PEM text of the CA that must have signed the server's certificate. */
  ca: string;
  /** Where settings survive a restart (hosts/node/settings-file.ts); none: nothing is kept. */
  store?: SettingsStore;
  /** Called before each write to a server (the device writes its waiting log lines, so they come before the reply they led to). */
  beforeSend?: () => void;
}

const NODE_DIGEST: Record<DigestAlgorithm, string> = { "SHA-1": "sha1", "SHA-256": "sha256" };
const DIGEST_LENGTH: Record<DigestAlgorithm, number> = { "SHA-1": 20, "SHA-256": 32 };

export function createNodeHost(options: NodeHostOptions): Host {
  const sessions = new TlsSessions();
  return {
    connect: (endpoint, handlers) => openConnection(endpoint, handlers, options.ca, sessions, options.beforeSend),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    // setImmediate: after this turn's I/O callbacks and promise jobs, without the 1 ms a 0 ms timer waits.
    defer: (callback) => void setImmediate(callback),
    now: () => performance.now(),
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
    digest: (algorithm, data) => new Uint8Array(createHash(NODE_DIGEST[algorithm]).update(data).digest()),
    hmac: (algorithm, key, data) => new Uint8Array(createHmac(NODE_DIGEST[algorithm], key).update(data).digest()),
    // Synchronous, as the host contract is: a SCRAM step answers a challenge in one call. The
    // 4,096 iterations take a few milliseconds in OpenSSL, less than one hop to libuv's thread
    // pool and back would save when many devices share this process (the fleet).
    pbkdf2: (algorithm, password, salt, iterations) =>
      new Uint8Array(pbkdf2Sync(password, salt, iterations, DIGEST_LENGTH[algorithm], NODE_DIGEST[algorithm])),
    store: options.store,
  };
}

/**
 * The last TLS session of each server (endpoint and name), so that a reconnect resumes it (TLS 1.2
 * session id or ticket: one round trip and no public-key work instead of a full handshake). The
 * certificate was checked when the session was made; a server that no longer has it does a full
 * handshake, checked again.
 */
class TlsSessions {
  readonly #sessions = new Map<string, Buffer>();

  get(key: string): Buffer | undefined {
    return this.#sessions.get(key);
  }

  set(key: string, session: Buffer): void {
    this.#sessions.set(key, session);
  }

  forget(key: string): void {
    this.#sessions.delete(key);
  }
}

function openConnection(endpoint: Endpoint, handlers: ConnectionHandlers, ca: string, sessions: TlsSessions, beforeSend?: () => void): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const plain = connectTcp({ host: endpoint.host, port: endpoint.port });
    const where = `${endpoint.host}:${endpoint.port}`;
    const refuse = (error: Error) => reject(new Error(`cannot connect to ${where}: ${error.message}`));
    plain.once("error", refuse);
    plain.once("connect", () => {
      plain.off("error", refuse);
      resolve(new NodeConnection(plain, handlers, ca, sessions, where, beforeSend));
    });
  });
}

class NodeConnection implements Connection {
  #socket: Socket | TLSSocket;
  readonly #handlers: ConnectionHandlers;
  readonly #ca: string;
  #secure = false;
  #resumed = false;
  #resumeRefused = false;
  #closed = false;
  #upgrading = false;

  readonly #sessions: TlsSessions;
  readonly #where: string;
  readonly #beforeSend: (() => void) | undefined;

  constructor(socket: Socket, handlers: ConnectionHandlers, ca: string, sessions: TlsSessions, where: string, beforeSend?: () => void) {
    this.#beforeSend = beforeSend;
    this.#sessions = sessions;
    this.#where = where;
    this.#socket = socket;
    this.#handlers = handlers;
    this.#ca = ca;
    socket.setNoDelay(true);
    this.#attach(socket);
  }

  get secure(): boolean {
    return this.#secure;
  }

  get resumed(): boolean {
    return this.#resumed;
  }

  get resumeRefused(): boolean {
    return this.#resumeRefused;
  }

  send(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("the connection is closed");
    if (this.#upgrading) throw new Error("nothing may be sent while TLS is being negotiated");
    this.#beforeSend?.();
    this.#socket.write(bytes);
  }

  startTLS(serverName: string): Promise<void> {
    if (this.#secure || this.#upgrading) return Promise.reject(new Error("TLS is already started on this connection"));
    const plain = this.#socket;
    this.#detach(plain);
    this.#upgrading = true;
    const key = `${this.#where} ${serverName}`;
    const session = this.#sessions.get(key);
    return new Promise((resolve, reject) => {
      const secure = connectTls({
        socket: plain as Socket,
        host: serverName,
        servername: serverName,
        ca: this.#ca,
        rejectUnauthorized: true,
        minVersion: "TLSv1.2",
        ...(session === undefined ? {} : { session }),
      });
      this.#socket = secure;
      secure.on("session", (made: Buffer) => this.#sessions.set(key, made));
      const fail = (error: Error) => {
        this.#sessions.forget(key);
        this.#upgrading = false;
        this.close();
        reject(explainTlsError(error, serverName));
      };
      secure.once("error", fail);
      secure.once("secureConnect", () => {
        secure.off("error", fail);
        this.#upgrading = false;
        this.#secure = true;
        this.#resumed = secure.isSessionReused();
        this.#resumeRefused = session !== undefined && !this.#resumed;
        this.#attach(secure);
        resolve();
      });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach(this.#socket);
    this.#socket.on("error", () => {}); // errors after our close have no one left to tell
    this.#socket.end();
    this.#socket.destroySoon();
    this.#handlers.onClose();
  }

  readonly #onData = (chunk: Buffer) => {
    this.#handlers.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };

  readonly #onError = (error: Error) => this.#end(error);
  readonly #onClose = () => this.#end();

  #end(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach(this.#socket);
    this.#socket.destroy();
    this.#handlers.onClose(error ?? new Error("the server closed the connection"));
  }

  #attach(socket: Socket): void {
    socket.on("data", this.#onData);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
  }

  #detach(socket: Socket): void {
    socket.off("data", this.#onData);
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
  }
}

/**
 * A CertificateError for what only a person can fix (the certificate's name, signer or dates);
 * a plain Error for the rest (a reset or cut during the handshake, a protocol alert), which the
 * core retries.
 */
export function explainTlsError(error: Error, serverName: string): Error {
  const code = (error as { code?: string }).code ?? "";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH") {
    return new CertificateError(`the server's certificate is not for ${serverName} (the JID's domain): ${error.message}`);
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new CertificateError(`the server's certificate is outside its validity dates on this machine's clock (${code}): renew it, or check the clock`);
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return new CertificateError(`the server's certificate is not signed by the configured CA (${code}): check that the ca key names the hub's CA certificate`);
  }
  return new Error(`${error.message}${code ? ` (${code})` : ""}`);
}
