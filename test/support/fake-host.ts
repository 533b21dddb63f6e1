// A Host for unit tests that runs on Node and on XS: a fake clock, seeded randomness, pure-JS
// digests, and a scripted connection whose server side the test drives.

import type { Connection, ConnectionHandlers, Endpoint, Host, TimerHandle } from "../../src/host.js";
import { decodeUtf8, encodeUtf8 } from "../../src/xml/utf8.js";
import { digest, hmac } from "./digest.js";

interface Timer {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/** Timers that fire only when the test advances the clock. */
export class FakeClock {
  #now = 0;
  #timers: Timer[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + Math.max(0, ms), callback, cancelled: false };
    this.#timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle) (handle as Timer).cancelled = true;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    // Cancelled timers go now: kept, they would make every later advance slower.
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    for (;;) {
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = end;
  }

  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }
}

/** The server end of a scripted connection, as the test sees it. */
export class ScriptedServer {
  /** Every chunk the client sent, decoded. */
  readonly received: string[] = [];
  /** What the host's startTLS does: resolve, or reject with this error. */
  tlsFailure: Error | undefined;
  /** The TLS handshake never completes (a server that stops answering after <proceed/>). */
  tlsHangs = false;
  serverNames: string[] = [];
  /** What the host's TLS reports of an earlier session: resumed, or offered and not resumed (a full handshake). */
  tlsSession: "resumed" | "refused" | undefined;
  closed = false;
  secure = false;
  endpoint: Endpoint | undefined;
  /** While false, what the client sends is neither decoded nor kept nor given to `onReceive` listeners; `onBytes` ones still get it (a benchmark that plays the server itself). */
  decoding = true;
  #handlers: ConnectionHandlers | undefined;
  #listeners: ((text: string) => void)[] = [];
  #byteListeners: ((bytes: Uint8Array) => void)[] = [];

  /** All the client has sent, as one string. */
  get transcript(): string {
    return this.received.join("");
  }

  /** Sends bytes (or text) to the client. */
  push(data: string | Uint8Array): void {
    if (!this.#handlers || this.closed) throw new Error("the client is not connected");
    this.#handlers.onData(typeof data === "string" ? encodeUtf8(data) : data);
  }

  /** Ends the connection from the server's side, as a network failure would. */
  drop(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.#handlers?.onClose(error ?? new Error("connection reset"));
  }

  /** Calls `listener` with each chunk the client sends from now on. */
  onReceive(listener: (text: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Calls `listener` with the bytes of each chunk the client sends from now on, before they are decoded. */
  onBytes(listener: (bytes: Uint8Array) => void): void {
    this.#byteListeners.push(listener);
  }

  /** Used by FakeHost.connect. */
  attach(endpoint: Endpoint, handlers: ConnectionHandlers): Connection {
    this.endpoint = endpoint;
    this.#handlers = handlers;
    const server = this;
    return {
      get secure() {
        return server.secure;
      },
      get resumed() {
        return server.secure && server.tlsSession === "resumed";
      },
      get resumeRefused() {
        return server.secure && server.tlsSession === "refused";
      },
      send(bytes: Uint8Array) {
        if (server.closed) throw new Error("the connection is closed");
        for (const listener of server.#byteListeners) listener(bytes);
        if (!server.decoding) return;
        const text = decodeUtf8(bytes);
        server.received.push(text);
        for (const listener of server.#listeners) listener(text);
      },
      startTLS(serverName: string) {
        server.serverNames.push(serverName);
        if (server.tlsHangs) return new Promise<void>(() => {});
        if (server.tlsFailure) {
          const failure = server.tlsFailure;
          server.closed = true;
          return Promise.reject(failure);
        }
        server.secure = true;
        return Promise.resolve();
      },
      close() {
        if (server.closed) return;
        server.closed = true;
        handlers.onClose();
      },
    };
  }
}

export interface FakeHostOptions {
  /** The server the next connect reaches; none means the connection is refused. */
  server?: ScriptedServer;
  seed?: number;
}

export class FakeHost implements Host {
  readonly clock = new FakeClock();
  server: ScriptedServer | undefined;
  hmacCalls = 0;
  #seed: number;

  constructor(options: FakeHostOptions = {}) {
    this.server = options.server;
    this.#seed = options.seed ?? 1;
  }

  connect(endpoint: Endpoint, handlers: ConnectionHandlers): Promise<Connection> {
    if (!this.server) return Promise.reject(new Error(`cannot connect to ${endpoint.host}:${endpoint.port}: connection refused`));
    return Promise.resolve(this.server.attach(endpoint, handlers));
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.clock.setTimeout(callback, ms);
  }

  clearTimeout(timer: TimerHandle): void {
    this.clock.clearTimeout(timer);
  }

  now(): number {
    return this.clock.now();
  }

  /** Deterministic (xorshift): tests must be repeatable, not secret. */
  randomBytes(length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      let x = this.#seed;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#seed = x >>> 0;
      bytes[i] = this.#seed & 0xff;
    }
    return bytes;
  }

  digest(algorithm: "SHA-1" | "SHA-256", data: Uint8Array): Uint8Array {
    return digest(algorithm, data);
  }

  hmac(algorithm: "SHA-1" | "SHA-256", key: Uint8Array, data: Uint8Array): Uint8Array {
    this.hmacCalls += 1;
    return hmac(algorithm, key, data);
  }
}

/** Lets every pending promise job run (a few rounds, for chains of awaits). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
