// SDK modules the firmware uses that neither the SDK's typings/ nor @moddable/typings declare;
// only what the firmware calls, as modules/crypt/ssl/session_419.js, modules/crypt/etc/hmac.js
// and modules/crypt/etc/rng.js define it.

declare module "ssl/session" {
  /** The socket a session reads and writes through: an ECMA-419 TCP socket with the counts its callbacks reported. */
  interface SessionSocket {
    readable: number;
    writable: number;
    read(buffer: Uint8Array): unknown;
    write(bytes: ArrayBuffer): unknown;
  }
  export default class Session {
    constructor(options: {
      serverName?: string;
      /** DER bytes of the trusted CA certificate(s). */
      certificate?: ArrayBuffer | ArrayBuffer[];
      protocolVersion?: number;
      trace?: boolean;
      cache?: boolean;
    });
    /** Set when an alert was received or raised: the handshake or session failed. */
    readonly alert: { level: number; description: number } | undefined;
    /** -1 while waiting for the server's next handshake message. */
    readonly handshakeProcess: number;
    /** The session id of the server's ServerHello, from it until the handshake finishes (the SDK then deletes it). */
    readonly serverSessionID: ArrayBuffer | undefined;
    /** The session's master secret, once the handshake has made or resumed it. */
    readonly masterSecret: ArrayBuffer;
    initiateHandshake(): void;
    /** Handles one handshake message; true once the handshake has finished (or an alert ended it). */
    handshake(socket: SessionSocket): boolean;
    /** One record's application data; undefined when none is complete; null when the peer closed. */
    read(socket: SessionSocket): Uint8Array | null | undefined;
    write(socket: SessionSocket, data: Uint8Array, options?: { more?: boolean; byteLength?: number }): number;
    close(socket: SessionSocket): void;
  }
}

/** The SDK's single-entry TLS session cache (modules/crypt/ssl/ssl_cache.js) that `ssl/session` uses by default. */
declare module "ssl/cache" {
  const cache: {
    getByHost(host: string): { id: ArrayBuffer; secret: ArrayBuffer } | undefined;
    saveSession(host: string, id: ArrayBuffer, secret: ArrayBuffer): void;
    deleteSessionID(id: ArrayBuffer): void;
  };
  export default cache;
}

declare module "hmac" {
  import type { Digest } from "crypt";
  export default class HMAC {
    constructor(digest: Digest, key: ArrayBuffer, bitLength?: number);
    process(...data: ArrayBuffer[]): ArrayBuffer;
  }
}

declare module "rng" {
  const RNG: { get(length: number): ArrayBuffer };
  export default RNG;
}

// modules/crypt/etc/curve.js, ecdsa.js and the native ECPoint (modules/crypt/arith): what a
// signature check calls.
declare module "ecp" {
  export default class ECPoint {
    constructor(x: bigint, y: bigint);
  }
}

declare module "curve" {
  export default class Curve {
    constructor(name: "secp256r1" | "secp384r1");
  }
}

declare module "ecdsa" {
  import type ECPoint from "ecp";
  import type Curve from "curve";
  export default class ECDSA {
    constructor(key: ECPoint, curve: Curve);
    /** `hash` the message digest, `signature` r || s (or DER with `asn1`). */
    verify(hash: ArrayBuffer, signature: ArrayBuffer, asn1?: boolean): boolean;
  }
}

// build/devices/esp32/modules/ota: the ESP32's OTA writes (esp_ota_begin/write/end, set to boot).
declare module "ota" {
  export default class OTA {
    constructor();
    write(data: ArrayBufferLike): void;
    cancel(): void;
    complete(): void;
  }
}
