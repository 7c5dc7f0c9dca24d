/**
 * A certificate authority of this machine for `tandem dev --https`: created once under the data
 * folder (`tls/ca.crt`, `tls/ca.key`), trusted once on a device or emulator, then every start
 * issues a server certificate from it for the hosts the device uses (e.g. `10.0.2.2`). node:crypto
 * makes the keys; node-forge writes the X.509 (node:crypto can parse certificates, not issue them).
 */
import { X509Certificate, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import forge from "node-forge";

export interface LocalCa {
  /** PEM of the CA certificate: what a device trusts. */
  readonly certPem: string;
  readonly certPath: string;
  readonly keyPem: string;
}

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const CA_YEARS = 10;
// Apple and browsers refuse server certificates valid for more than 398 days; a fresh one is issued at every start.
const SERVER_DAYS = 397;

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.rsa.setPublicKey(key.n, key.e), pem };
}

/**
 * A random serial as RFC 5280 wants it: positive, at most 20 bytes, and in minimal DER (a first
 * byte of 0x00 is illegal padding to OpenSSL, which then refuses the whole certificate: a random
 * serial starting with a zero byte failed one start in 256).
 */
export function certificateSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = 1 + (bytes[0]! % 0x7f);
  return bytes.toString("hex");
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

export async function loadOrCreateLocalCa(dir: string): Promise<LocalCa> {
  const certPath = join(dir, "ca.crt");
  const keyPath = join(dir, "ca.key");
  if (existsSync(certPath) && existsSync(keyPath)) {
    const kept = { certPem: await readFile(certPath, "utf8"), certPath, keyPem: await readFile(keyPath, "utf8") };
    // A CA an earlier version wrote with a zero-padded serial never worked anywhere: make a new one.
    if (parses(kept.certPem)) return kept;
  }
  await mkdir(dir, { recursive: true });
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = certificateSerial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + CA_YEARS * 365 * 86_400_000);
  const name = [
    { name: "commonName", value: `Tandem development CA (${randomBytes(3).toString("hex")})` },
    { name: "organizationName", value: "Tandem development" },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  await writeFile(keyPath, keys.pem, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(certPath, certPem);
  return { certPem, certPath, keyPem: keys.pem };
}

/** A server certificate for `hosts` (DNS names or IP addresses), signed by the local CA. */
export function issueServerCertificate(ca: LocalCa, hosts: readonly string[]): ServerCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = certificateSerial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + SERVER_DAYS * 86_400_000);
  cert.setSubject([{ name: "commonName", value: hosts[0] ?? "localhost" }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(hosts)].map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert) + ca.certPem, keyPem: keys.pem };
}
