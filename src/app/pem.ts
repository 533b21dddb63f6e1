// A CA certificate given as PEM text (the set-up page, the settings command): its DER bytes,
// for TLS stacks that take DER (the Moddable SDK's), and its SHA-256 fingerprint for a person to
// compare with the one their hub prints before the device trusts it.

import type { Host } from "../host.js";
import { ConfigError } from "./config.js";
import { decodeBase64 } from "../xmpp/sasl/base64.js";

// Made at each call: a module-level RegExp keeps state, and preloaded modules are frozen in flash.
const block = () => /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

function base64(text: string): Uint8Array | undefined {
  try {
    return decodeBase64(text.replace(/\s+/g, ""));
  } catch {
    return undefined;
  }
}

/** The DER bytes of the first certificate in `pem`; throws a ConfigError on `key` saying what is wrong. */
export function certificateDer(pem: string, key = "ca"): Uint8Array {
  const found = block().exec(pem);
  if (!found) throw new ConfigError(key, "not a PEM certificate: give the whole text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");
  const der = base64(found[1]!);
  // A certificate is one DER SEQUENCE; anything else is not one, whatever its armour says.
  if (!der || der.length < 64 || der[0] !== 0x30) throw new ConfigError(key, "the PEM block does not hold a certificate (its base64 does not decode to one DER structure): export the CA certificate again");
  return der;
}

/** SHA-256 of the DER certificate, as `openssl x509 -fingerprint -sha256` prints it (AB:CD:...). */
export function certificateFingerprint(host: Pick<Host, "digest">, der: Uint8Array): string {
  return Array.from(host.digest("SHA-256", der), (byte) => byte.toString(16).toUpperCase().padStart(2, "0")).join(":");
}
