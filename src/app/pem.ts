// A CA certificate given as PEM text (the set-up page, the settings command): its DER bytes,
// for TLS stacks that take DER (the Moddable SDK's), and its SHA-256 fingerprint for a person to
// compare with the one their hub prints before the device trusts it.

import type { Host } from "../host.js";
import { ConfigError } from "./config.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n = (ALPHABET.indexOf(clean[i]!) << 18) | (ALPHABET.indexOf(clean[i + 1]!) << 12) | ((ALPHABET.indexOf(clean[i + 2]!) & 63) << 6) | (ALPHABET.indexOf(clean[i + 3]!) & 63);
    if (at < out.length) out[at++] = (n >> 16) & 255;
    if (at < out.length) out[at++] = (n >> 8) & 255;
    if (at < out.length) out[at++] = n & 255;
  }
  return out;
}

/** The DER bytes of the first certificate in `pem`; throws a ConfigError on `key` saying what is wrong. */
export function certificateDer(pem: string, key = "ca"): Uint8Array {
  const block = BLOCK.exec(pem);
  if (!block) throw new ConfigError(key, "not a PEM certificate: give the whole text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
  const der = decodeBase64(block[1]!);
  // A certificate is one DER SEQUENCE; anything else is not one, whatever its armour says.
  if (!der || der.length < 64 || der[0] !== 0x30) throw new ConfigError(key, "the PEM block does not hold a certificate (its base64 does not decode to one DER structure): export the CA certificate again");
  return der;
}

/** SHA-256 of the DER certificate, as `openssl x509 -fingerprint -sha256` prints it (AB:CD:...). */
export function certificateFingerprint(host: Pick<Host, "digest">, der: Uint8Array): string {
  return Array.from(host.digest("SHA-256", der), (byte) => byte.toString(16).toUpperCase().padStart(2, "0")).join(":");
}
