/** The local CA of `tandem dev --https`: what it issues is DER that OpenSSL accepts, every time. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certificateSerial, issueServerCertificate, loadOrCreateLocalCa } from "../src/tls/local-ca.js";

test("serials are positive, 16 bytes, and never start with a zero byte (OpenSSL's illegal padding)", () => {
  for (let i = 0; i < 20_000; i++) {
    const s = certificateSerial();
    assert.match(s, /^[0-9a-f]{32}$/);
    const first = parseInt(s.slice(0, 2), 16);
    assert.ok(first >= 0x01 && first <= 0x7f, s);
  }
});

test("the CA and a server certificate for an IP and a name parse, with the serial and hosts asked for", async () => {
  const ca = await loadOrCreateLocalCa(await mkdtemp(join(tmpdir(), "tandem-ca-")));
  const caCert = new X509Certificate(ca.certPem);
  assert.ok(caCert.ca);
  const { certPem } = issueServerCertificate(ca, ["10.0.2.2", "localhost"]);
  const leaf = new X509Certificate(certPem.split(/(?=-----BEGIN)/)[0]!);
  assert.ok(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey));
  assert.match(leaf.serialNumber, /^[0-7][0-9A-F]{31}$/);
  assert.match(leaf.subjectAltName ?? "", /IP Address:10\.0\.2\.2/);
  assert.match(leaf.subjectAltName ?? "", /DNS:localhost/);
});

test("a kept CA is reused; one OpenSSL cannot read (an earlier version's zero-padded serial) is made anew", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tandem-ca-"));
  const first = await loadOrCreateLocalCa(dir);
  assert.equal((await loadOrCreateLocalCa(dir)).certPem, first.certPem);
  // The same certificate with its serial's DER made illegal: 0x00 padding before a byte < 0x80.
  const der = Buffer.from(new X509Certificate(first.certPem).raw);
  const at = der.indexOf(Buffer.from([0x02, 0x10])); // INTEGER, 16 bytes: the serial
  der[at + 2] = 0x00;
  der[at + 3] = 0x01;
  const broken = `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`;
  assert.throws(() => new X509Certificate(broken));
  await writeFile(join(dir, "ca.crt"), broken);
  const again = await loadOrCreateLocalCa(dir);
  assert.notEqual(again.certPem, broken);
  assert.ok(new X509Certificate(again.certPem).ca);
});
