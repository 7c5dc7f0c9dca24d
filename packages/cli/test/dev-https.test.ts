/**
 * `tandem dev --https --public-host 10.0.2.2`: `.env.local` names the TLS fronts on the public
 * host, the publishable key encodes it (https is what the Android SDK calls), the CLI on this
 * machine pushes over loopback, and the local CA is kept under `.tandem/tls/` for devices to trust.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/program.js";
import { readEnvFile } from "../src/deployment.js";
import { frontendApiOf } from "./support/android-device.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

test("tandem dev --https --public-host serves devices over TLS from a local CA", async () => {
  const app = join(await mkdtemp(join(tmpdir(), "tandem-https-")), "app");
  await cp(join(repoRoot, "docs", "android-guide", "convex"), join(app, "convex"), { recursive: true });
  await mkdir(join(app, "node_modules"));
  await writeFile(
    join(app, "package.json"),
    JSON.stringify({ name: "guide", private: true, dependencies: { convex: "*" } }),
  );
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  const out: string[] = [];
  const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) };

  assert.equal(await runCli(["dev", "--dir", app, "--once", "--public-host", "10.0.2.2"], io), 1);
  assert.match(out.join("\n"), /--public-host needs --https/);

  const args = [
    "dev",
    "--dir",
    app,
    "--once",
    "--https",
    "--public-host",
    "10.0.2.2",
    "--port",
    "0",
    "--site-port",
    "0",
    "--identity-port",
    "0",
    "--dashboard-port",
    "0",
    "--typecheck",
    "disable",
  ];
  assert.equal(await runCli(args, io), 0, out.join("\n"));
  const env = readEnvFile(join(app, ".env.local"));
  assert.match(env.CONVEX_URL!, /^https:\/\/10\.0\.2\.2:\d+$/);
  assert.match(env.CONVEX_SITE_URL!, /^https:\/\/10\.0\.2\.2:\d+$/);
  assert.match(env.CONVEX_SELF_HOSTED_URL!, /^http:\/\/127\.0\.0\.1:\d+$/, "the CLI pushes over loopback");
  const fapi = frontendApiOf(env.VITE_TANDEM_PUBLISHABLE_KEY!);
  assert.equal(fapi.hostname, "10.0.2.2");
  assert.equal(fapi.protocol, "https:");

  const ca = new X509Certificate(await readFile(join(app, ".tandem", "tls", "ca.crt")));
  assert.equal(ca.ca, true);
  assert.match(out.join("\n"), /CA to trust on the device: .*ca\.crt/);
  // A second start reuses the CA a device already trusts.
  assert.equal(await runCli(args, io), 0);
  assert.equal(
    new X509Certificate(await readFile(join(app, ".tandem", "tls", "ca.crt"))).fingerprint256,
    ca.fingerprint256,
  );
});
