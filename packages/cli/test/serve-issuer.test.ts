/** `tandem serve --issuer`: TLS ends at a reverse proxy, the issuer and publishable key name the proxy's URL. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@tandem/shared";
import { runCli } from "../src/program.js";
import { startServices } from "../src/services.js";
import { frontendApiOf } from "./support/android-device.js";

test("the identity service's public URL behind a reverse proxy", async (t) => {
  const services = await startServices({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-issuer-")),
    host: "127.0.0.1",
    port: 0,
    sitePort: 0,
    identityPort: 0,
    dashboardPort: 0,
    instance: "production",
    logger: silentLogger,
    identityPublicUrl: "https://auth.example.test",
  });
  t.after(() => services.close());
  assert.equal(services.identity.issuer, "https://auth.example.test");
  assert.equal(frontendApiOf(services.identity.publishableKey).host, "auth.example.test");
  assert.equal(services.backend.environmentVariables().CLERK_JWT_ISSUER_DOMAIN, "https://auth.example.test");
  const discovery = (await (await fetch(`${services.identity.url}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  assert.equal(discovery.jwks_uri, "https://auth.example.test/.well-known/jwks.json");
});

test("tandem serve --issuer refuses what is not a URL", async () => {
  const lines: string[] = [];
  const io = { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(s) };
  const data = await mkdtemp(join(tmpdir(), "tandem-issuer-bad-"));
  assert.equal(
    await runCli(
      [
        "serve",
        "--data",
        data,
        "--issuer",
        "auth.example.test",
        "--port",
        "0",
        "--site-port",
        "0",
        "--identity-port",
        "0",
        "--dashboard-port",
        "0",
      ],
      io,
    ),
    1,
  );
  assert.match(lines.join("\n"), /--issuer must be a URL/);
});
