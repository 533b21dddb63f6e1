// The host interface on the Moddable SDK (ESP32 boards and the desktop simulator alike):
// ECMA-419 TCP, STARTTLS by handing the open socket to a TLS session from the SDK's
// `ssl/session` (which resumes the TLS 1.2 session it keeps in `ssl/cache` on a reconnect), timers from `timer`, a monotonic clock from `time`, digests from `crypt`,
// HMAC from the SDK's `hmac` (JavaScript over the native digests), PBKDF2 from the project's own
// C module (hosts/moddable/pbkdf2, over the SDK's SHA-1/SHA-256) and randomness from `rng`.

import TCP from "embedded:io/socket/tcp";
import { Digest } from "crypt";
import HMAC from "hmac";
import nativePbkdf2 from "appliance/pbkdf2";
import RNG from "rng";
import Session from "ssl/session";
import tlsCache from "ssl/cache";
import Time from "time";
import Timer from "timer";
import { TickClock } from "./clock.js";
import { resolveAddress } from "./resolve.js";
import { handshakeFailure } from "./tls-failure.js";
import { recordPayloadRoom } from "./tls-record.js";
import type { Connection, ConnectionHandlers, DigestAlgorithm, Endpoint, Host, SettingsStore, TimerHandle } from "../../src/host.js";

/** The ECMA-419 socket with the byte counts its callbacks last reported, which `ssl/session` reads and updates. */
type Socket = TCP & { readable: number; writable: number };

/** How long a connect may go unanswered. */
const CONNECT_MS = 15_000;

/** TLS alert descriptions (RFC 5246 §7.2) that say what went wrong in a failed handshake. */
const ALERTS: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  40: "handshake_failure",
  42: "bad_certificate",
  43: "unsupported_certificate",
  44: "certificate_revoked",
  45: "certificate_expired",
  46: "certificate_unknown",
  47: "illegal_parameter",
  48: "unknown_ca",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  112: "unrecognized_name",
};

export interface ModdableHostOptions {
  /** The DER bytes of the CA certificate trusted for the XMPP server (from a resource). */
  ca: ArrayBuffer;
  /** The device's wall clock, Unix ms, for the messages of certificate failures (default Date.now). */
  wallClock?: () => number;
  /**
   * Whether TLS sessions are kept for resumption (default true). The SDK's cache (ssl/cache) has
   * one entry, keyed by server name alone: an update download from the hub's name on another port
   * took the XMPP server's place in it, and every XMPP handshake after it offered the image
   * server's session and failed ("invalid buffer (in comp)"). Downloads use a host without it.
   */
  sessionCache?: boolean;
  /** Where small values survive a restart (the Preference store): the FAST login token (XEP-0484). */
  store?: SettingsStore;
}

export function createModdableHost(options: ModdableHostOptions): Host {
  const hmacs = new HmacCache();
  const clock = new TickClock(() => Time.ticks);
  return {
    connect: (endpoint, handlers) => ModdableConnection.open(endpoint, handlers, options),
    setTimeout: (callback, ms) => Timer.set(callback, Math.max(0, ms)),
    clearTimeout: (timer: TimerHandle) => Timer.clear(timer as Timer),
    now: () => clock.now(),
    randomBytes: (length) => new Uint8Array(RNG.get(length)),
    digest(algorithm, data) {
      const digest = new Digest(digestName(algorithm));
      digest.write(exactBuffer(data));
      return new Uint8Array(digest.close());
    },
    hmac: (algorithm, key, data) => hmacs.compute(algorithm, key, data),
    pbkdf2(algorithm, password, salt, iterations) {
      // The core's JavaScript PBKDF2 refuses the same counts with the same words; the C module
      // also takes no more than a 32-bit count.
      if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 0x7fffffff) {
        throw new RangeError(`PBKDF2 needs a whole number of iterations of at least 1, not ${iterations}`);
      }
      return new Uint8Array(nativePbkdf2(algorithm, password, salt, iterations));
    },
    ...(options.store === undefined ? {} : { store: options.store }),
  };
}

function digestName(algorithm: DigestAlgorithm): "SHA1" | "SHA256" {
  return algorithm === "SHA-1" ? "SHA1" : "SHA256";
}

/** An ArrayBuffer holding exactly `bytes` (the SDK's digests take ArrayBuffers). */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer as ArrayBuffer;
}

/**
 * Keeps the last HMAC per algorithm: PBKDF2 (SCRAM's salted password) computes thousands of
 * HMACs with one key, and setting up the SDK's HMAC for a key costs two digest blocks and two
 * buffers, so the same key reuses its instance.
 */
class HmacCache {
  readonly #last = new Map<DigestAlgorithm, { key: Uint8Array; hmac: HMAC }>();

  compute(algorithm: DigestAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    let entry = this.#last.get(algorithm);
    if (!entry || !sameBytes(entry.key, key)) {
      entry = { key: key.slice(), hmac: new HMAC(new Digest(digestName(algorithm)), exactBuffer(key)) };
      this.#last.set(algorithm, entry);
    }
    return new Uint8Array(entry.hmac.process(exactBuffer(data)));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class ModdableConnection implements Connection {
  readonly #handlers: ConnectionHandlers;
  readonly #endpoint: string;
  readonly #ca: ArrayBuffer;
  readonly #sessionCache: boolean;
  readonly #wallClock: () => number;
  #socket: Socket;
  #session: Session | undefined;
  /** Settles the pending `startTLS`; set from the call until the handshake ends. */
  #handshake: PendingHandshake | undefined;
  #secure = false;
  #resumed = false;
  #resumeRefused = false;
  #closed = false;
  /** A write the socket refused (see watchWrites): read after each write, the connection is then closed. */
  #writeFailed = false;
  /** Bytes waiting for room in the socket's send buffer, oldest first. */
  #queue: Uint8Array[] = [];

  static async open(endpoint: Endpoint, handlers: ConnectionHandlers, options: ModdableHostOptions): Promise<Connection> {
    const where = `${endpoint.host}:${endpoint.port}`;
    let address: string;
    try {
      address = await resolveAddress(endpoint.host);
    } catch (error) {
      throw new Error(`cannot connect to ${where}: ${(error as Error).message}`);
    }
    return new Promise((resolve, reject) => {
      let connection: ModdableConnection | undefined;
      let connected = false;
      let socket: Socket | undefined;
      // An address that never answers (a host gone, a route lost) reports nothing at all: give up
      // on it, closing the socket, rather than wait forever.
      const timer = Timer.set(() => {
        if (connected) return;
        connected = true;
        if (connection) connection.#closed = true;
        if (socket) closeQuietly(socket);
        reject(new Error(`cannot connect to ${where}: no answer within ${CONNECT_MS / 1000} s`));
      }, CONNECT_MS);
      try {
        // The SDK's ECMA-419 TCP takes an address, not a name.
        socket = new TCP({
          address,
          port: endpoint.port,
          nodelay: true,
          onWritable(count) {
            (this as Socket).writable = count;
            if (!connected) {
              connected = true;
              Timer.clear(timer);
              resolve(connection!);
            }
            connection!.#writable();
          },
          onReadable(count) {
            (this as Socket).readable = count;
            connection!.#readable();
          },
          onError() {
            if (!connected) {
              connected = true;
              Timer.clear(timer);
              // The SDK keeps a socket (and these callbacks, and all they hold) alive until it is
              // closed, a failed one too: without this, every failed attempt leaked them.
              connection!.#closed = true;
              closeQuietly(this as Socket);
              reject(new Error(`cannot connect to ${where}: connection refused or unreachable`));
              return;
            }
            connection!.#fail(new Error(`the connection to ${where} was closed`));
          },
        }) as Socket;
        socket.readable = socket.writable = 0;
        connection = new ModdableConnection(socket, handlers, where, options);
        watchWrites(socket, () => (connection!.#writeFailed = true));
      } catch (error) {
        // The SDK throws for an address it cannot use (no route while Wi-Fi is down, say).
        connected = true;
        Timer.clear(timer);
        if (socket) closeQuietly(socket);
        reject(new Error(`cannot connect to ${where}: ${(error as Error).message}`));
      }
    });
  }

  private constructor(socket: Socket, handlers: ConnectionHandlers, endpoint: string, options: ModdableHostOptions) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#endpoint = endpoint;
    this.#ca = options.ca;
    this.#sessionCache = options.sessionCache ?? true;
    this.#wallClock = options.wallClock ?? (() => Date.now());
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
    if (this.#closed) return;
    if (this.#handshake) throw new Error("cannot send while the TLS handshake runs");
    this.#queue.push(bytes);
    this.#writable();
  }

  startTLS(serverName: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`the connection to ${this.#endpoint} is closed`));
    if (this.#session) return Promise.reject(new Error("TLS was started already"));
    return new Promise((resolve, reject) => {
      // The SDK's session offers the session id its cache (one entry) holds for this name, and the
      // server resumes it or answers with a full handshake, its certificate chain checked as on a
      // first connect; noted here to tell which happened.
      const offered = this.#sessionCache ? tlsCache.getByHost(serverName)?.id : undefined;
      this.#handshake = { resolve, reject, serverName, offered, answered: undefined };
      const session = new Session({ serverName, certificate: this.#ca, protocolVersion: 0x303, cache: this.#sessionCache });
      session.initiateHandshake();
      this.#session = session;
      const self = this;
      const plain = this.#socket;
      // The take-over keeps the bytes the plain socket had buffered; no onWritable follows it,
      // so the handshake is started here with the send room the plain socket last reported.
      const socket = new TCP({
        from: plain,
        onWritable(count) {
          (this as Socket).writable = count;
          self.#writable();
        },
        onReadable(count) {
          (this as Socket).readable = count;
          self.#readable();
        },
        onError() {
          self.#fail(new Error(`the connection to ${self.#endpoint} was closed`));
        },
      }) as Socket;
      socket.readable = plain.readable;
      socket.writable = plain.writable;
      watchWrites(socket, () => (self.#writeFailed = true));
      this.#socket = socket;
      this.#stepHandshake();
    });
  }

  close(): void {
    if (this.#closed) return;
    if (this.#secure && this.#session) {
      try {
        this.#session.close(this.#socket);
      } catch {
        // the socket may be gone already; closing it follows anyway
      }
    }
    this.#end(undefined);
  }

  #readable(): void {
    if (this.#closed) return;
    if (this.#handshake) return this.#stepHandshake();
    const socket = this.#socket;
    if (!this.#session) {
      const count = socket.readable;
      if (count <= 0) return;
      const bytes = socket.read(count) as ArrayBuffer;
      socket.readable = 0;
      this.#handlers.onData(new Uint8Array(bytes));
      return;
    }
    while (!this.#closed && socket.readable > 0) {
      let data: Uint8Array | null | undefined;
      try {
        data = this.#session.read(socket);
      } catch (error) {
        return this.#fail(new Error(`TLS error on ${this.#endpoint}: ${(error as Error).message}`));
      }
      if (data === null) return this.#fail(new Error(`the server at ${this.#endpoint} closed the TLS session`));
      if (data === undefined) return; // a record is still incomplete
      if (data.byteLength) this.#handlers.onData(data);
    }
  }

  #writable(): void {
    if (this.#closed || this.#handshake) return;
    const socket = this.#socket;
    while (this.#queue.length) {
      const head = this.#queue[0]!;
      const room = this.#session ? recordPayloadRoom(socket.writable) : socket.writable;
      if (room <= 0) return; // onWritable calls again
      const chunk = head.byteLength <= room ? head : head.subarray(0, room);
      try {
        if (this.#session) this.#session.write(socket, chunk);
        else {
          socket.write(chunk);
          socket.writable -= chunk.byteLength;
        }
      } catch (error) {
        return this.#fail(new Error(`cannot write to ${this.#endpoint}: ${(error as Error).message}`));
      }
      if (this.#writeFailed) return this.#fail(new Error(WRITE_FAILED(this.#endpoint)));
      if (chunk === head) this.#queue.shift();
      else this.#queue[0] = head.subarray(chunk.byteLength);
    }
  }

  /** Runs the TLS handshake as far as the bytes at hand allow (one handshake message per call of the session). */
  #stepHandshake(): void {
    const session = this.#session!;
    const socket = this.#socket;
    const pending = this.#handshake!;
    try {
      for (;;) {
        const finished = session.handshake(socket);
        if (this.#writeFailed) throw new Error(WRITE_FAILED(this.#endpoint));
        // The ServerHello's session id is there from that message until the handshake finishes.
        if (pending.answered === undefined && session.serverSessionID) pending.answered = session.serverSessionID;
        if (session.alert) {
          const description = ALERTS[session.alert.description] ?? `alert ${session.alert.description}`;
          throw new Error(`TLS alert ${description}`);
        }
        if (finished) break;
        // -1: waiting for the server's next message; anything else is our turn to send.
        if (session.handshakeProcess === -1 && socket.readable <= 0) return;
      }
    } catch (error) {
      this.#handshake = undefined;
      forgetOffered(pending);
      pending.reject(handshakeFailure(this.#endpoint, pending.serverName, (error as Error).message, new Date(this.#wallClock()).toISOString()));
      this.#end(undefined);
      return;
    }
    this.#handshake = undefined;
    this.#secure = true;
    this.#resumed = pending.offered !== undefined && pending.answered !== undefined && sameBytes(new Uint8Array(pending.offered), new Uint8Array(pending.answered));
    this.#resumeRefused = pending.offered !== undefined && !this.#resumed;
    // The SDK saves the new session and then, the offered one refused, deletes "it" from its
    // one-entry cache, which is the new one: kept again here, so the next reconnect resumes.
    if (this.#resumeRefused && pending.answered && !tlsCache.getByHost(pending.serverName)) tlsCache.saveSession(pending.serverName, pending.answered, session.masterSecret);
    pending.resolve();
    if (socket.readable > 0) this.#readable();
    this.#writable();
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    const pending = this.#handshake;
    this.#handshake = undefined;
    if (pending) forgetOffered(pending);
    pending?.reject(error);
    this.#end(error);
  }

  #end(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    closeQuietly(this.#socket);
    this.#handlers.onClose(error);
  }
}

interface PendingHandshake {
  resolve(): void;
  reject(error: Error): void;
  serverName: string;
  /** The session id offered from the SDK's cache, if any. */
  offered: ArrayBuffer | undefined;
  /** The session id of the server's ServerHello: the offered one when it resumed. */
  answered: ArrayBuffer | undefined;
}

/**
 * A handshake that failed after offering a kept session drops it, so the next attempt makes a full
 * handshake: the SDK drops it only on a handshake that finishes, and a server that accepts the id
 * but then fails (keys changed, a restart halfway) would otherwise fail every reconnect the same way.
 */
function forgetOffered(pending: PendingHandshake): void {
  const kept = tlsCache.getByHost(pending.serverName);
  if (pending.offered && kept && sameBytes(new Uint8Array(kept.id), new Uint8Array(pending.offered))) tlsCache.deleteSessionID(kept.id);
}

const WRITE_FAILED = (endpoint: string) => `the connection to ${endpoint} was closed (a write failed)`;

/**
 * Calls `failed` when a write of `socket` fails. The SDK's sockets return nothing from a write
 * that failed (the peer reset the connection) and the Linux one then never reports onError, so a
 * TLS handshake step or a send would wait for its timeout (30 s) instead; in mcsim such a write
 * also killed the process with SIGPIPE until the simulator ignored it (hosts/sim/sigpipe). The
 * session writes through the socket itself, so its writes are watched here, on the instance.
 */
function watchWrites(socket: Socket, failed: () => void): void {
  const write = socket.write;
  Object.defineProperty(socket, "write", {
    value(this: Socket, bytes: ArrayBufferLike | ArrayBufferView) {
      const left = (write as (bytes: unknown) => unknown).call(this, bytes);
      if (left === undefined) failed();
      return left;
    },
  });
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // closed already
  }
}
