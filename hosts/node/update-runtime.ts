// The desktop's side of a signed update: the image fetched over HTTPS (trusting only the device's
// CA; the hub's own name is reached at the XMPP server's address, as the XMPP connection is), an
// incremental SHA-256, and the ECDSA P-256 check with the public key the device was given.

import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { request } from "node:https";
import type { UpdateRuntime } from "../../src/app/firmware-update.js";

export interface DownloadOptions {
  /** The CA (PEM) the image's server must be signed by. */
  caPem: string;
  /** Where to connect for a host name (the hub's domain -> the XMPP server's address); default: the name itself. */
  address?(host: string): string;
  /** Give up when no byte arrives for this long (default 30 s). */
  idleMs?: number;
}

export function httpsDownload(options: DownloadOptions): UpdateRuntime["download"] {
  return (url, onChunk) =>
    new Promise<void>((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== "https:") {
        reject(new Error(`${url} is not https`));
        return;
      }
      const req = request(
        {
          host: options.address?.(target.hostname) ?? target.hostname,
          servername: target.hostname,
          port: target.port === "" ? 443 : Number(target.port),
          path: `${target.pathname}${target.search}`,
          ca: options.caPem,
          timeout: options.idleMs ?? 30_000,
        },
        (response) => {
          if (response.statusCode !== 200) {
            response.resume();
            reject(new Error(`the server answered HTTP ${response.statusCode ?? "?"} for ${url}`));
            return;
          }
          const length = Number(response.headers["content-length"] ?? NaN);
          let received = 0;
          response.on("data", (chunk: Buffer) => {
            received += chunk.length;
            onChunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          });
          response.on("aborted", () => reject(new Error("the connection was cut")));
          response.on("error", reject);
          response.on("end", () => {
            // A server that closes early without an error still sent less than it announced.
            if (Number.isFinite(length) && received !== length) reject(new Error(`the connection ended after ${received} of ${length} bytes`));
            else resolve();
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("no data for too long")));
      req.on("error", reject);
      req.end();
    });
}

export function nodeSha256(): ReturnType<UpdateRuntime["sha256"]> {
  const hash = createHash("sha256");
  return { write: (bytes) => void hash.update(bytes), close: () => new Uint8Array(hash.digest()) };
}

/** The signature check with `publicKeyPem` (an EC P-256 public key, PEM). */
export function ecdsaVerifier(publicKeyPem: string): UpdateRuntime["verify"] {
  const key: KeyObject = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error("the update key is not an EC P-256 public key (openssl ecparam -name prime256v1)");
  }
  return (digest, signature) => verify("sha256", digest, { key, dsaEncoding: "ieee-p1363" }, signature);
}
