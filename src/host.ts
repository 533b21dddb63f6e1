// The host interface: everything the core needs from a runtime (Node.js, the Moddable
// simulator, an ESP32), given to the core as one object instead of imported.

/** Digests the core uses: SHA-1 and SHA-256 for SCRAM, and HMAC over them. */
export type DigestAlgorithm = "SHA-1" | "SHA-256";

/** An opaque handle returned by `Host.setTimeout`. */
export type TimerHandle = unknown;

/**
 * A TLS upgrade that failed for a reason only a person can fix: the server's certificate is not
 * signed by the configured CA, is not for the name asked, or is outside its validity dates on the
 * device clock. Hosts reject `startTLS` with this error for those causes only; any other rejection
 * (the connection cut or reset during the handshake, a timeout, a protocol alert) is transient and
 * the core retries it.
 */
export class CertificateError extends Error {
  // A field, not an assignment: on XS, Error.prototype is frozen once preloaded, and assigning
  // over an inherited frozen property throws (the "override mistake").
  override readonly name: string = "CertificateError";
  constructor(message: string) {
    super(message);
  }
}

/**
 * Small values kept across restarts: Preference storage in flash on Moddable, a file on the
 * desktop. Keys are ASCII words of at most 15 characters (the ESP32 NVS limit); values are
 * strings of at most 4,000 bytes.
 */
export interface SettingsStore {
  get(key: string): string | undefined;
  /** Stores the value, or removes the key when the value is undefined; throws when it cannot. */
  set(key: string, value: string | undefined): void;
}

/** Where the core connects. */
export interface Endpoint {
  host: string;
  port: number;
  /**
   * Direct TLS (XEP-0368, `server=tls://host:port`): the core secures the connection with
   * `startTLS` before its first byte, instead of negotiating STARTTLS in the clear.
   */
  directTls?: boolean;
}

/** Callbacks a connection reports through. Neither is called after `onClose`. */
export interface ConnectionHandlers {
  /** Bytes from the server, split wherever the network split them (plaintext after `startTLS`). */
  onData(bytes: Uint8Array): void;
  /** The connection is gone: closed by the peer, failed (with the error), or closed by `close()`. Called once. */
  onClose(error?: Error): void;
}

/** An open byte stream to the server that can be upgraded to TLS in place (STARTTLS). */
export interface Connection {
  /** True once `startTLS` has completed. */
  readonly secure: boolean;
  /**
   * True when `startTLS` resumed an earlier TLS session with this server (TLS 1.2 session id or
   * ticket: no certificate exchange or public-key work); hosts that keep no sessions leave it out.
   */
  readonly resumed?: boolean;
  /**
   * True when `startTLS` offered an earlier session and the server did not resume it, so a full
   * handshake (certificate chain checked again) followed; hosts that keep no sessions leave it out.
   */
  readonly resumeRefused?: boolean;
  /** Queues bytes for the server (encrypted once secure). */
  send(bytes: Uint8Array): void;
  /**
   * Upgrades this open connection to TLS. Resolves when the handshake is done and the server's
   * certificate chain has been verified against the CA the host was configured with and matches
   * `serverName`; rejects with an Error that says why otherwise (and the connection is then closed).
   * No byte may be sent between the call and its settlement.
   */
  startTLS(serverName: string): Promise<void>;
  /** Closes the connection; safe to call twice. `onClose` follows once, without an error. */
  close(): void;
}

export interface Host {
  /** Opens a TCP connection. Rejects with an Error naming the endpoint when it cannot. */
  connect(endpoint: Endpoint, handlers: ConnectionHandlers): Promise<Connection>;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(timer: TimerHandle): void;
  /**
   * Runs `callback` once the work of this turn (its promise jobs included) is done, and before
   * any timer: where the runtime's 0 ms timer waits longer (Node's waits at least 1 ms). Without
   * it the core uses `setTimeout(callback, 0)`.
   */
  defer?(callback: () => void): void;
  /** Milliseconds from an arbitrary origin; only differences are meaningful. */
  now(): number;
  /** Cryptographically strong random bytes (SCRAM nonces, stanza ids). */
  randomBytes(length: number): Uint8Array;
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: DigestAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * PBKDF2-HMAC (RFC 8018) with a derived key one digest long (SCRAM's Hi()), where the runtime
   * has a native one; without it the core derives the key over `hmac` in JavaScript.
   */
  pbkdf2?(algorithm: DigestAlgorithm, password: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array;
  /** Where small settings survive a restart, where the runtime has such storage. */
  store?: SettingsStore;
}
