// A signed update's checks on the Moddable SDK: an incremental SHA-256 from `crypt`'s native
// Digest, and the ECDSA P-256 verify of the SDK's modules/crypt/etc/ecdsa.js (JavaScript over the
// SDK's BigInt arithmetic) with the public key built into the firmware (the resource named by
// update_key, the uncompressed point 04 || x || y, which scripts/moddable.mjs makes from the PEM
// key given at build time).

import { Digest } from "crypt";
import Curve from "curve";
import ECDSA from "ecdsa";
import ECPoint from "ecp";
import type { UpdateRuntime } from "../../src/app/firmware-update.js";

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function bigint(bytes: Uint8Array): bigint {
  let hex = "0x0";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return BigInt(hex);
}

export function moddableSha256(): ReturnType<UpdateRuntime["sha256"]> {
  const digest = new Digest("SHA256");
  return {
    write: (bytes) => digest.write(exactBuffer(bytes)),
    close: () => new Uint8Array(digest.close()),
  };
}

/** The P-256 group order: r and s of a valid signature are in [1, n - 1]. */
const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Throws saying what is wrong when `point` is not an uncompressed P-256 public key. */
export function ecdsaVerifier(point: Uint8Array): UpdateRuntime["verify"] {
  if (point.length !== 65 || point[0] !== 0x04) throw new Error(`not an uncompressed P-256 public key (65 bytes starting with 04), but ${point.length} bytes`);
  const key = new ECPoint(bigint(point.subarray(1, 33)), bigint(point.subarray(33)));
  const curve = new Curve("secp256r1");
  return (digest, signature) => {
    if (signature.length !== 64 || digest.length !== 32) return false;
    const r = bigint(signature.subarray(0, 32));
    const s = bigint(signature.subarray(32));
    if (r === 0n || s === 0n || r >= ORDER || s >= ORDER) return false;
    // The signed message is the firmware's 32-byte digest, which ECDSA-with-SHA-256 hashes once more.
    const hash = new Digest("SHA256");
    hash.write(exactBuffer(digest));
    // A new instance per check: it keeps nothing between verifies, and few are ever made.
    return new ECDSA(key, curve).verify(hash.close(), exactBuffer(signature)) === true;
  };
}
