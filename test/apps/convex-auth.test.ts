/**
 * Convex Auth (`@convex-dev/auth` 0.0.95, test/fixtures/convex-auth) run unmodified: the app is
 * its own issuer. Its `auth.config.ts` names the deployment's `CONVEX_SITE_URL`; its mutations
 * hash passwords (random salts), make refresh tokens and sign JWTs with the `JWT_PRIVATE_KEY`
 * deployment variable (jose, in the default runtime); its HTTP actions serve the discovery
 * document and the `JWKS` variable; and the backend verifies each token against its own site URL.
 * Driven as `ConvexAuthProvider` does: the `auth:signIn` action for each flow, then the official
 * ConvexClient with the access token, refreshed through `signIn({ refreshToken })`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { until } from "../support/app-clients.js";

const api = anyApi;
const PASSWORD = "a long enough password 1";

let backend: Backend;
let app: AppCopy;
const clients: ConvexClient[] = [];

type Tokens = { token: string; refreshToken: string };
type SignInResult = { tokens?: Tokens | null; redirect?: string; verifier?: string };
type Message = { body: string; author: string };

const signIn = (args: Record<string, unknown>, token?: string) => {
  const http = new ConvexHttpClient(backend.url);
  if (token) http.setAuth(token);
  return http.action(api.auth!.signIn!, args) as Promise<SignInResult>;
};

/** What `ConvexAuthProvider` hands `setAuth`: the stored token, or a refreshed one when asked. */
function signedInClient(tokens: Tokens): ConvexClient {
  let current = tokens;
  const c = new ConvexClient(backend.url);
  c.setAuth(async ({ forceRefreshToken }) => {
    if (forceRefreshToken) current = (await signIn({ refreshToken: current.refreshToken })).tokens ?? current;
    return current.token;
  });
  clients.push(c);
  return c;
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

before(async () => {
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-convex-auth-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  app = await copyApp("convex-auth", ["@convex-dev/auth", "@auth/core"]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend?.close();
  await app?.remove();
});

test("the app pushes with the official CLI and serves its own discovery document and keys", async () => {
  const output = await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  assert.match(output, /authAccounts\.providerAndAccountId\s+provider, providerAccountId/);
  assert.match(output, /authRefreshTokens\.sessionId\s+sessionId/);
  // What `npx @convex-dev/auth` sets up: the signing key, its public half, the frontend's URL.
  const keys = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(keys.publicKey);
  await backend.setEnvironmentVariables({
    JWT_PRIVATE_KEY: (await exportPKCS8(keys.privateKey)).trimEnd().replace(/\n/g, " "),
    JWKS: JSON.stringify({ keys: [{ use: "sig", ...jwk }] }),
    SITE_URL: "http://localhost:5173",
  });
  const discovery = (await (await fetch(`${backend.siteUrl}/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  assert.equal(discovery.issuer, backend.siteUrl);
  assert.equal(discovery.jwks_uri, `${backend.siteUrl}/.well-known/jwks.json`);
  const served = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { n: string }[] };
  assert.equal(served.keys[0]!.n, jwk.n);
});

test("password sign-up and sign-in: the deployment signs the token, verifies it, and the user chats", async () => {
  const email = "ada@example.com";
  const up = await signIn({ provider: "password", params: { email, password: PASSWORD, flow: "signUp" } });
  assert.ok(up.tokens, "sign-up returns tokens");
  const t = claims(up.tokens.token);
  assert.equal(t.iss, backend.siteUrl, "issued under the deployment's own site URL");
  assert.equal(t.aud, "convex");

  const ada = signedInClient(up.tokens);
  const me = (await ada.query(api.users!.viewer!, {})) as { _id: string; email: string } | null;
  assert.equal(me?.email, email);
  assert.equal(String(t.sub).split("|")[0], me._id, "the token's subject names the users row");
  assert.equal(await ada.query(api.auth!.isAuthenticated!, {}), true);

  const live: Message[][] = [];
  const stop = ada.onUpdate(api.messages!.list!, {}, (m: Message[]) => live.push(m));
  await ada.mutation(api.messages!.send!, { body: "Hello" });
  await until<Message[]>(ada, api.messages!.list!, {}, (m) => m.length === 1, "the message");
  assert.ok(live.some((m) => m.length === 1 && m[0]!.author === email && m[0]!.body === "Hello"));
  stop();

  await assert.rejects(
    signIn({ provider: "password", params: { email, password: "not the password 1", flow: "signIn" } }),
    /InvalidSecret/,
  );
  await assert.rejects(
    signIn({ provider: "password", params: { email: "nobody@example.com", password: PASSWORD, flow: "signIn" } }),
    /InvalidAccountId/,
  );
  const again = await signIn({ provider: "password", params: { email, password: PASSWORD, flow: "signIn" } });
  assert.ok(again.tokens);
  const anon = new ConvexHttpClient(backend.url);
  await assert.rejects(anon.query(api.messages!.list!, {}), /Not signed in/);

  // Refresh rotates the refresh token; sign-out ends the session, so its refresh token is spent.
  const refreshed = await signIn({ refreshToken: again.tokens.refreshToken });
  assert.ok(refreshed.tokens);
  assert.notEqual(refreshed.tokens.refreshToken, again.tokens.refreshToken);
  const viaRefreshed = new ConvexHttpClient(backend.url);
  viaRefreshed.setAuth(refreshed.tokens.token);
  assert.equal(((await viaRefreshed.query(api.users!.viewer!, {})) as { email: string }).email, email);
  const out = new ConvexHttpClient(backend.url);
  out.setAuth(refreshed.tokens.token);
  await out.action(api.auth!.signOut!, {});
  assert.equal((await signIn({ refreshToken: refreshed.tokens.refreshToken })).tokens, null);
});

test("a token this deployment did not sign is refused", async () => {
  const other = await generateKeyPair("RS256", { extractable: true });
  const { SignJWT } = await import("jose");
  const forged = await new SignJWT({ sub: "x|y" })
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(backend.siteUrl)
    .setAudience("convex")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(other.privateKey);
  const c = new ConvexHttpClient(backend.url);
  c.setAuth(forged);
  await assert.rejects(c.query(api.users!.viewer!, {}));
});

test("anonymous sign-in makes an anonymous user", async () => {
  const r = await signIn({ provider: "anonymous" });
  assert.ok(r.tokens);
  const c = new ConvexHttpClient(backend.url);
  c.setAuth(r.tokens.token);
  assert.equal(((await c.query(api.users!.viewer!, {})) as { isAnonymous: boolean }).isAnonymous, true);
});

test("OAuth sign-in starts at the app's own HTTP route: a PKCE cookie and a redirect to the provider", async () => {
  const r = await signIn({ provider: "github", params: {} });
  assert.ok(r.redirect && r.verifier);
  assert.ok(r.redirect.startsWith(`${backend.siteUrl}/api/auth/signin/github?code=`));
  const res = await fetch(r.redirect, { redirect: "manual" });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get("location")!);
  assert.equal(location.origin + location.pathname, "https://github.com/login/oauth/authorize");
  assert.equal(location.searchParams.get("redirect_uri"), `${backend.siteUrl}/api/auth/callback/github`);
  assert.match(res.headers.getSetCookie().join("\n"), /githubOAuthpkce=[^;]+; Path=\/; .*HttpOnly/);
});
