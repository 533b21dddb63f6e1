// The hub's own CA and the server certificate it signs, made with openssl and kept in the hub's
// directory so that a device given the CA keeps trusting the hub across restarts.
import { execFile } from "node:child_process";
import { X509Certificate, createPrivateKey, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Certificates {
  /** The CA certificate (PEM) that clients trust. */
  readonly caPath: string;
  readonly caPem: string;
  /** The server certificate followed by the CA certificate: the Moddable SDK's TLS checks the
   * server name only on a certificate that is followed by its issuer in the chain sent. */
  readonly certPath: string;
  readonly keyPath: string;
}

// RSA, because the Moddable SDK's TLS negotiates ECDHE-RSA suites; 2048 bits keeps the
// device's signature check affordable.
const RSA_BITS = "2048";
// Ten years for the CA, 825 days (the longest Apple platforms accept) for the server; both end
// before 2050, because the Moddable SDK's X509 date parser fails on the GeneralizedTime that
// certificates use for dates from 2050 on.
const CA_DAYS = validDays(3650);
const SERVER_DAYS = validDays(825);

function validDays(wanted: number): string {
  const until2050 = Math.floor((Date.UTC(2049, 11, 31) - Date.now()) / (24 * 3600 * 1000));
  return String(Math.min(wanted, until2050));
}

// Reissue ahead of expiry, so a running hub never serves a certificate about to lapse.
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Reuses the CA and server certificate in `dir/certs` when they are intact and fit `domain`;
 * otherwise makes new ones (a new CA only when the old one is unusable). */
export async function ensureCertificates(dir: string, domain: string, openssl = "openssl"): Promise<Certificates> {
  const certs = join(dir, "certs");
  mkdirSync(certs, { recursive: true });
  const files = {
    caPath: join(certs, "ca.crt"),
    caKey: join(certs, "ca.key"),
    certPath: join(certs, "server.crt"),
    keyPath: join(certs, "server.key"),
  };
  const subjectOrganization = "XMPP appliance hub";
  const config = join(certs, "openssl.cnf");
  writeFileSync(config, opensslConfig(domain));
  try {
    let ca = usableCa(files.caPath, files.caKey);
    if (ca === undefined) {
      await run(openssl, [
        "req", "-x509", "-new", "-newkey", `rsa:${RSA_BITS}`, "-nodes", "-sha256",
        "-keyout", files.caKey, "-out", files.caPath, "-days", CA_DAYS,
        "-config", config, "-extensions", "ca_ext",
        "-subj", `/O=${subjectOrganization}/CN=${subjectOrganization} CA`,
      ]);
      ca = usableCa(files.caPath, files.caKey);
      if (ca === undefined) throw new Error(`openssl made a CA certificate in ${files.caPath} that fails its own checks`);
    }
    if (!usableServerCertificate(files.certPath, files.keyPath, ca, domain)) {
      const request = join(certs, "server.csr");
      const leaf = join(certs, "server-only.crt");
      try {
        await run(openssl, [
          "req", "-new", "-newkey", `rsa:${RSA_BITS}`, "-nodes", "-sha256",
          "-keyout", files.keyPath, "-out", request, "-config", config,
          "-subj", `/O=${subjectOrganization}/CN=${domain}`,
        ]);
        await run(openssl, [
          "x509", "-req", "-in", request, "-CA", files.caPath, "-CAkey", files.caKey, "-sha256",
          "-set_serial", `0x${serialNumber()}`, "-days", SERVER_DAYS,
          "-extfile", config, "-extensions", "server_ext", "-out", leaf,
        ]);
        writeFileSync(files.certPath, readFileSync(leaf, "utf8") + ca.pem);
      } finally {
        rmSync(request, { force: true });
        rmSync(leaf, { force: true });
      }
      if (!usableServerCertificate(files.certPath, files.keyPath, ca, domain)) {
        throw new Error(`openssl made a server certificate in ${files.certPath} that fails its own checks`);
      }
    }
    return { caPath: files.caPath, caPem: ca.pem, certPath: files.certPath, keyPath: files.keyPath };
  } finally {
    rmSync(config, { force: true });
  }
}

interface Ca {
  readonly pem: string;
  readonly certificate: X509Certificate;
}

function usableCa(certPath: string, keyPath: string): Ca | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const pem = readFileSync(certPath, "utf8");
    const [certificate] = pemCertificates(pem);
    if (certificate === undefined || !certificate.ca || !isRsa(certificate) || expiresSoon(certificate)) return undefined;
    if (!certificate.checkPrivateKey(createPrivateKey(readFileSync(keyPath)))) return undefined;
    return { pem: certificate.toString(), certificate };
  } catch {
    return undefined; // unreadable or corrupt: make a new one
  }
}

function usableServerCertificate(certPath: string, keyPath: string, ca: Ca, domain: string): boolean {
  if (!existsSync(certPath) || !existsSync(keyPath)) return false;
  try {
    const chain = pemCertificates(readFileSync(certPath, "utf8"));
    if (chain.length !== 2) return false;
    const [leaf, issuer] = chain as [X509Certificate, X509Certificate];
    return (
      issuer.raw.equals(ca.certificate.raw) &&
      leaf.checkIssued(ca.certificate) &&
      leaf.verify(ca.certificate.publicKey) &&
      leaf.checkHost(domain, { subject: "never" }) === domain &&
      isRsa(leaf) &&
      !expiresSoon(leaf) &&
      leaf.checkPrivateKey(createPrivateKey(readFileSync(keyPath)))
    );
  } catch {
    return false;
  }
}

/** The certificates in a PEM file, in order. */
export function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

function isRsa(certificate: X509Certificate): boolean {
  return certificate.publicKey.asymmetricKeyType === "rsa";
}

function expiresSoon(certificate: X509Certificate): boolean {
  return new Date(certificate.validTo).getTime() - Date.now() < RENEW_BEFORE_MS;
}

// Positive (top bit clear) and unique enough that a client never sees two certificates
// from this CA with the same serial.
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function opensslConfig(domain: string): string {
  return [
    "[req]",
    "distinguished_name = dn",
    "prompt = no",
    "[dn]",
    "[ca_ext]",
    "basicConstraints = critical, CA:TRUE, pathlen:0",
    "keyUsage = critical, keyCertSign, cRLSign",
    "subjectKeyIdentifier = hash",
    // The Moddable SDK finds the trusted CA by matching the key id in the authority key
    // identifier of the chain's CA certificate to the subject key identifier of its own copy.
    "authorityKeyIdentifier = keyid:always",
    "[server_ext]",
    "basicConstraints = critical, CA:FALSE",
    "keyUsage = critical, digitalSignature, keyEncipherment",
    "extendedKeyUsage = serverAuth",
    `subjectAltName = DNS:${domain}`,
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid, issuer",
    "",
  ].join("\n");
}

function run(openssl: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(openssl, args, { encoding: "utf8" }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`openssl ${args[0]} failed: ${stderr.trim() || error.message}`));
    });
  });
}
