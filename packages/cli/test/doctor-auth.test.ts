/**
 * `tandem doctor auth` against a real backend whose pushed `auth.config.ts` names a real OIDC
 * issuer on localhost: tokens made to fail in each way are refused to the official
 * `ConvexHttpClient`, and the command names each cause (with both issuers, the audiences, the
 * times, the kid) and its fix; `--token` diagnoses one token. Tokens never appear in its output.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, symlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { ConvexHttpClient } from "convex/browser";
import { anyApi, makeFunctionReference } from "convex/server";
import { startBackend, type Backend } from "@tandem/backend";
import { silentLogger } from "@tandem/shared";
import { runCli } from "../src/program.js";
import { convexCliEnv } from "../src/convex-cli.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** An OIDC issuer on 127.0.0.1 serving discovery and a JWKS with one key, `k1`. */
interface Issuer {
  readonly url: string;
  sign(claims: JWTPayload, options?: { kid?: string; key?: Key }): Promise<string>;
  close(): Promise<void>;
}

async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let url = "";
  const server: Server = createServer((req, res) => {
    if (req.url === "/.well-known/openid-configuration")
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    else if (req.url === "/jwks")
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sign: (claims, options = {}) =>
      new SignJWT({ iss: url, aud: "convex", sub: "user_1", iat: now(), exp: now() + 60, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: options.kid ?? "k1" })
        .sign(options.key ?? privateKey),
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const now = () => Math.floor(Date.now() / 1000);
let backend: Backend;
let app: string;
let good: Issuer;
let other: Issuer;
const issuers: Issuer[] = [];

function pushApp(): Promise<void> {
  const bin = join(repoRoot, "node_modules", "convex", "bin", "main.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "dev", "--once", "--typecheck", "disable"], {
      cwd: app,
      env: convexCliEnv({ url: backend.url, adminKey: backend.adminKey }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`convex dev --once exited ${code}:\n${output}`)),
    );
  });
}

async function doctor(...args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  const code = await runCli(["doctor", "auth", "--url", backend.url, "--admin-key", backend.adminKey, ...args], io);
  return { code, text: lines.join("\n") };
}

/** Sends the token as the official client does; the backend must refuse it. */
async function refused(token: string): Promise<void> {
  const client = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  client.setAuth(token);
  await assert.rejects(client.query(anyApi.notes!.list!, {}));
}

before(async () => {
  [good, other] = await Promise.all([startIssuer(), startIssuer()]);
  issuers.push(good, other);
  app = join(await mkdtemp(join(tmpdir(), "tandem-doctor-")), "app");
  await cp(join(here, "fixtures", "app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-doctor-data-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  await backend.setEnvironmentVariables({ TANDEM_ISSUER_DOMAIN: good.url });
  await pushApp();
});

after(async () => {
  await backend?.close();
  for (const i of issuers) await i.close();
});

test("no rejections yet: the providers are listed and the command exits 0", async () => {
  const client = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  client.setAuth(await good.sign({}));
  assert.deepEqual(await client.query(anyApi.notes!.list!, {}), []);
  const r = await doctor();
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, new RegExp(`OIDC\\(domain=${good.url}, app_id=convex\\)`));
  assert.match(r.text, /No rejected tokens/);
});

test("the rejection log is admin only: refused anonymously and to a valid user token", async () => {
  const client = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  const rejections = makeFunctionReference<"query">("_system/tandem/authRejections");
  const diagnose = makeFunctionReference<"query">("_system/tandem/diagnoseToken");
  await assert.rejects(client.query(rejections, {}), /You do not have permission/);
  client.setAuth(await good.sign({}));
  await assert.rejects(client.query(rejections, {}), /You do not have permission/);
  await assert.rejects(client.query(diagnose, { token: "x" }), /You do not have permission/);
});

test("each refused token is named with its cause and fix, newest first, and no token is printed", async () => {
  const stranger = await generateKeyPair("RS256");
  const tokens = [
    await other.sign({}), // issued by another issuer
    await good.sign({ aud: "not-convex" }),
    await good.sign({ iat: now() - 600, exp: now() - 300 }),
    await good.sign({ nbf: now() + 300 }),
    // The backend's clock 10 minutes behind the issuer's: a Clerk-like token (nbf = iat - 10 s).
    await good.sign({ iat: now() + 600, nbf: now() + 590, exp: now() + 660 }),
    await good.sign({}, { kid: "k-rotated-out", key: stranger.privateKey }),
  ];
  for (const t of tokens) await refused(t);
  const r = await doctor();
  assert.equal(r.code, 1, r.text);
  const lines = r.text.split("\n").filter((l) => l.startsWith("✗"));
  assert.deepEqual(
    lines.map((l) => /\[(\w+)\]/.exec(l)?.[1]),
    ["unknownKid", "clockSkew", "notYetValid", "expired", "audienceMismatch", "issuerMismatch"],
    r.text,
  );
  assert.match(
    r.text,
    new RegExp(`Issuer mismatch: the token's iss is "${other.url}" but auth.config.ts accepts "${good.url}"`),
  );
  assert.match(
    r.text,
    /Audience mismatch: the token's aud is "not-convex" but the provider's applicationID is "convex"/,
  );
  assert.match(r.text, /The token expired at .* \(\d+ s before/);
  assert.match(r.text, /not valid yet: nbf is/);
  assert.match(r.text, /Clock skew: the token was issued at .*, (600|599) s ahead of the backend's clock/);
  assert.match(r.text, /kid "k-rotated-out" is not in the JWKS/);
  assert.equal((r.text.match(/^ {2}Fix: /gm) ?? []).length, 6);
  for (const t of tokens) assert.ok(!r.text.includes(t.split(".")[2]!), "no token signature in the output");
  assert.match(r.text, /sub=user_1/);
});

test("--token diagnoses one token: accepted, or why not", async () => {
  const ok = await doctor("--token", await good.sign({ sub: "user_ok" }));
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /accepts this token \(subject "user_ok"\)/);
  const bad = await doctor("--token", await good.sign({ aud: ["a", "b"] }));
  assert.equal(bad.code, 1);
  assert.match(bad.text, /\[audienceMismatch\] .*aud is "a", "b"/);
  const junk = await doctor("--token", "not-a-jwt");
  assert.match(junk.text, /\[malformed\]/);
});

test("an env change that was not pushed, then an unreachable JWKS after the push", async () => {
  // The issuer moved: the env var says so, but auth.config.ts was evaluated with the old value.
  assert.equal(
    await runCli(
      ["env", "set", "TANDEM_ISSUER_DOMAIN", other.url, "--url", backend.url, "--admin-key", backend.adminKey],
      { out: () => {}, err: () => {} },
    ),
    0,
  );
  await refused(await other.sign({}));
  let r = await doctor("--limit", "1");
  assert.match(
    r.text,
    /\[configNotPushed\] auth.config.ts was not pushed after an env change: TANDEM_ISSUER_DOMAIN is now/,
  );
  assert.match(r.text, /Fix: Push again/);

  // Pushed with an issuer that is down when the first token arrives.
  const gone = await startIssuer();
  await runCli(
    ["env", "set", "TANDEM_ISSUER_DOMAIN", gone.url, "--url", backend.url, "--admin-key", backend.adminKey],
    { out: () => {}, err: () => {} },
  );
  await pushApp();
  const token = await gone.sign({});
  await gone.close();
  await refused(token);
  r = await doctor("--limit", "1");
  assert.match(
    r.text,
    new RegExp(`\\[jwksUnreachable\\] JWKS unreachable: the backend could not fetch the keys of ${gone.url}`),
  );
  assert.match(r.text, /Fix: Check that .*\/\.well-known\/openid-configuration/);
});
