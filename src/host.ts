// The host interface: everything the core needs from a runtime (Node.js, the Moddable
// simulator, an ESP32), given to the core as one object instead of imported.

/** Digests the core uses: SHA-1 and SHA-256 for SCRAM, and HMAC over them. */
export type DigestAlgorithm = "SHA-1" | "SHA-256";

/** An opaque handle returned by `Host.setTimeout`. */
export type TimerHandle = unknown;

/** Where the core connects. */
export interface Endpoint {
  host: string;
  port: number;
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
  /** Milliseconds from an arbitrary origin; only differences are meaningful. */
  now(): number;
  /** Cryptographically strong random bytes (SCRAM nonces, stanza ids). */
  randomBytes(length: number): Uint8Array;
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: DigestAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
}
