// What a failed TLS handshake on the SDK's `ssl/session` means: a certificate the configured CA
// does not vouch for, that does not name the server or is outside its dates is a
// `CertificateError` (permanent: a person must change the ca key, the server's certificate or
// the clock); anything else (the connection cut during the handshake, an alert, a cipher the
// server would not take) is a plain Error, which the core retries.

import { CertificateError } from "../../src/host.js";

/**
 * The SDK's own messages for certificate failures (modules/crypt/ssl): ssl_handshake.js throws
 * "certificate: auth err" when the chain does not verify against the CA or the name does not
 * match (ssl_cert.js traces "subjectAltName match failed" first), ssl_cert.js "date validation
 * failed" and "Cert: unsupported algorithm".
 */
const CERTIFICATE_FAILURE = () => /certificate: auth err|date validation failed|^Cert: |subjectAltName/i;

export function handshakeFailure(endpoint: string, serverName: string, reason: string, deviceClock: string): Error {
  const message = `TLS handshake with ${endpoint} failed (${reason})`;
  if (CERTIFICATE_FAILURE().test(reason)) {
    return new CertificateError(
      `${message}: the server's certificate is not signed by the configured ca, does not name ${serverName}, ` +
        `or is outside its dates (device clock ${deviceClock}); fix the ca key or that server's certificate (it must send its full chain)`,
    );
  }
  return new Error(`${message}; it will be retried`);
}
