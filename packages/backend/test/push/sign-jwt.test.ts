/**
 * `ctx.auth.signJwt` (convex 1.48): mutations sign ES256 tokens with the deployment's own key; the
 * public key is served at `${CONVEX_CLOUD_URL}/.well-known/jwks.json`; the issuer is the cloud URL
 * (plus `/components/<path>` inside a component); and an `auth.config.ts` naming that JWKS (what
 * `@convex-dev/auth` 2's `convexAuthProvider()` returns) accepts the tokens as user identities.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";

const api = anyApi;
let dataDir: string;
let backend: Backend;
const start = () => startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger });
const part = (jwt: string, i: number) =>
  JSON.parse(Buffer.from(jwt.split(".")[i]!, "base64url").toString()) as Record<string, unknown>;

before(async () => {
  dataDir = await tempDir("signjwt-data");
  backend = await start();
  await pushOnce(await copyFixture("signjwt"), { url: backend.url, adminKey: backend.adminKey });
});

after(async () => {
  await backend?.close();
});

test("a mutation signs a token the deployment's JWKS verifies, with iss, iat and exp set", async () => {
  const client = new ConvexHttpClient(backend.url);
  const before = Math.floor(Date.now() / 1000);
  const jwt = (await client.mutation(api.tokens!.mint!, {
    claims: { sub: "user-1", aud: "from-app", role: "admin" },
    expiresInSeconds: 120,
  })) as string;
  const header = part(jwt, 0);
  const claims = part(jwt, 1);
  assert.equal(header.alg, "ES256");
  assert.equal(claims.iss, backend.url);
  assert.equal(claims.sub, "user-1");
  assert.equal(claims.role, "admin");
  assert.ok((claims.iat as number) >= before - 1 && (claims.iat as number) <= before + 5);
  assert.equal((claims.exp as number) - (claims.iat as number), 120);

  const jwks = (await (await fetch(`${backend.url}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string; d?: string }[];
  };
  const key = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(key, "the token's kid is in the JWKS");
  assert.equal(key.d, undefined, "only the public half is served");
  const [h, p, s] = jwt.split(".");
  const ok = verify(
    "sha256",
    Buffer.from(`${h}.${p}`),
    { key: createPublicKey({ key: key as never, format: "jwk" }), dsaEncoding: "ieee-p1363" },
    Buffer.from(s!, "base64url"),
  );
  assert.ok(ok, "the signature verifies with the served key");

  const user = new ConvexHttpClient(backend.url);
  user.setAuth(jwt);
  assert.deepEqual(await user.query(api.tokens!.whoami!, {}), {
    subject: "user-1",
    issuer: backend.url,
    tokenIdentifier: `${backend.url}|user-1`,
  });
});

test("inside a component the issuer names the component; the token is accepted by its provider", async () => {
  const client = new ConvexHttpClient(backend.url);
  const jwt = (await client.mutation(api.tokens!.mintInComponent!, { sub: "session-9" })) as string;
  assert.equal(part(jwt, 1).iss, `${backend.url}/components/minter`);
  const user = new ConvexHttpClient(backend.url);
  user.setAuth(jwt);
  assert.equal(
    ((await user.query(api.tokens!.whoami!, {})) as { issuer: string }).issuer,
    `${backend.url}/components/minter`,
  );
});

test("reserved claims, lifetimes over an hour and calls outside mutations are refused", async () => {
  const client = new ConvexHttpClient(backend.url);
  const mint = (claims: object, expiresInSeconds: number) =>
    client.mutation(api.tokens!.mint!, { claims, expiresInSeconds });
  await assert.rejects(mint({ iss: "https://elsewhere" }, 60), /`iss` claim is set by Convex/);
  await assert.rejects(mint({ nbf: 1 }, 60), /`nbf` claim/);
  await assert.rejects(mint({ CVX_x: 1 }, 60), /reserved/);
  await assert.rejects(mint({ convexRole: 1 }, 60), /reserved/);
  await assert.rejects(mint({}, 3601), /expiresInSeconds/);
  await assert.rejects(mint({}, 0), /expiresInSeconds/);
  // A query's `ctx.auth` has no `signJwt` (as on Convex).
  await assert.rejects(client.query(api.tokens!.mintInQuery!, {}), /signJwt is not a function/);
});

test("the key outlives a restart: tokens signed before it still verify", async () => {
  const client = new ConvexHttpClient(backend.url);
  const jwt = (await client.mutation(api.tokens!.mint!, {
    claims: { sub: "u", aud: "from-app" },
    expiresInSeconds: 60,
  })) as string;
  await backend.close();
  backend = await start();
  // The restarted backend listens on a new port (so a new issuer URL), but its key is the same.
  const jwks = (await (await fetch(`${backend.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  assert.equal(jwks.keys[0]!.kid, part(jwt, 0).kid);
});
