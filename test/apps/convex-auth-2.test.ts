/**
 * Convex Auth 2 (`@convex-dev/auth` 2.0.0, the version `npm install @convex-dev/auth` gives;
 * test/fixtures/convex-auth-2) run unmodified. It is built on components and on the deployment's
 * own keys: `convex.config.ts` installs its core, password and username components (the password
 * one hashes with argon2 compiled to WebAssembly and installs the rate limiter), the core signs
 * access tokens with `ctx.auth.signJwt` (issuer `${CONVEX_CLOUD_URL}/components/auth`), and
 * `auth.config.ts` is `convexAuthProvider()`, which verifies them against the deployment's JWKS.
 * Driven as `ConvexAuthProvider` does: sign-in mutations over the websocket client, refresh and
 * sign-out over a separate ConvexHttpClient, the access token handed to `setAuth`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { until } from "../support/app-clients.js";

const api = anyApi;
const PASSWORD = "correct horse battery staple";

let backend: Backend;
let app: AppCopy;
const clients: ConvexClient[] = [];

type Tokens = { accessToken: string; refreshToken: string };
type Envelope = { status: "complete"; tokens: Tokens } | { status: "error"; userError: { error: string } };
type Message = { body: string; author: string };

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
const http = () => new ConvexHttpClient(backend.url);

function wsClient(): ConvexClient {
  const c = new ConvexClient(backend.url);
  clients.push(c);
  return c;
}

/** `setSession` then `ConvexProviderWithAuth`: the stored token, refreshed over HTTP when asked. */
function signedIn(c: ConvexClient, tokens: Tokens): { current: () => Tokens } {
  let current = tokens;
  c.setAuth(async ({ forceRefreshToken }) => {
    if (forceRefreshToken) {
      const r = (await http().mutation(api.auth!.refreshSession!, { refreshToken: current.refreshToken })) as {
        kind: string;
        tokens?: Tokens;
      };
      if (r.tokens) current = r.tokens;
    }
    return current.accessToken;
  });
  return { current: () => current };
}

before(async () => {
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-convex-auth-2-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  app = await copyApp("convex-auth-2", [["@convex-dev/auth", "convex-auth-2"]]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend?.close();
  await app?.remove();
});

test("the app and its auth components push with the official CLI", async () => {
  const output = await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  assert.match(output, /Convex functions ready/);
});

test("username sign-up: a token the deployment signed as its auth component, then the chat", async () => {
  const c = wsClient();
  const up = (await c.mutation(api.auth!.signUpWithUsernamePassword!, {
    username: "ada",
    password: PASSWORD,
  })) as Envelope;
  assert.equal(up.status, "complete", JSON.stringify(up));
  if (up.status !== "complete") return;
  const t = claims(up.tokens.accessToken);
  assert.equal(t.iss, `${backend.url}/components/auth`);
  assert.equal(t.aud, "convex-auth");

  signedIn(c, up.tokens);
  const me = await until<{ _id: string } | null>(c, api.users!.viewer!, {}, (u) => u !== null, "the signed-in user");
  assert.ok(me?._id);
  assert.equal(await c.query(api.auth!.isAuthenticated!, {}), true);
  await c.mutation(api.users!.setName!, { name: "Ada" });
  await c.mutation(api.messages!.send!, { body: "Hello" });
  const [m] = await until<Message[]>(c, api.messages!.list!, {}, (l) => l.length === 1, "the message");
  assert.deepEqual({ body: m!.body, author: m!.author }, { body: "Hello", author: "Ada" });

  const taken = (await http().mutation(api.auth!.signUpWithUsernamePassword!, {
    username: "ada",
    password: PASSWORD,
  })) as Envelope;
  assert.deepEqual(taken, { status: "error", userError: { error: "USERNAME_TAKEN" } });
  const wrong = (await http().mutation(api.auth!.signInWithUsernamePassword!, {
    username: "ada",
    password: "not the password at all",
  })) as Envelope;
  assert.deepEqual(wrong, { status: "error", userError: { error: "INVALID_CREDENTIALS" } });
});

test("sign-in, refresh rotation, and sign-out that a live query sees", async () => {
  const c = wsClient();
  const r = (await c.mutation(api.auth!.signInWithUsernamePassword!, {
    username: "ada",
    password: PASSWORD,
  })) as Envelope;
  assert.equal(r.status, "complete", JSON.stringify(r));
  if (r.status !== "complete") return;
  const session = signedIn(c, r.tokens);
  await until<{ name?: string } | null>(c, api.users!.viewer!, {}, (u) => u?.name === "Ada", "the viewer");

  const rotated = (await http().mutation(api.auth!.refreshSession!, { refreshToken: r.tokens.refreshToken })) as {
    kind: string;
    tokens: Tokens;
  };
  assert.equal(rotated.kind, "rotated");
  assert.notEqual(rotated.tokens.refreshToken, r.tokens.refreshToken);
  assert.equal(claims(rotated.tokens.accessToken).sub, claims(r.tokens.accessToken).sub, "the same session");

  // Sign-out deletes the session: getAuthUserId reads it, so the open query turns to null
  // although the access token itself has not expired.
  const seen: unknown[] = [];
  const stop = c.onUpdate(api.users!.viewer!, {}, (u) => seen.push(u));
  await http().mutation(api.auth!.signOut!, { refreshToken: session.current().refreshToken });
  await until<unknown>(c, api.users!.viewer!, {}, (u) => u === null, "the viewer after sign-out");
  stop();
  assert.ok(seen.some((u) => u !== null) && seen.at(-1) === null, JSON.stringify(seen));
  const stale = (await http().mutation(api.auth!.refreshSession!, { refreshToken: rotated.tokens.refreshToken })) as {
    kind: string;
  };
  assert.notEqual(stale.kind, "rotated", "the session's refresh tokens are gone");
});

test("a token under the auth component's issuer but another key is refused", async () => {
  const { generateKeyPair, SignJWT } = await import("jose");
  const other = await generateKeyPair("ES256");
  const forged = await new SignJWT({ sub: "x", aud: "convex-auth" })
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer(`${backend.url}/components/auth`)
    .setIssuedAt()
    .setExpirationTime("1m")
    .sign(other.privateKey);
  const c = http();
  c.setAuth(forged);
  await assert.rejects(c.query(api.users!.viewer!, {}));
});

test("GitHub sign-in: the callback is served by its component under /oauth/github and sends a declined sign-in back to the app", async () => {
  const start = (await http().mutation(api.auth!.startSignInWithGithub!, {
    redirectTo: "http://localhost:5173/chat",
  })) as { redirect: string; state: string };
  const authorize = new URL(start.redirect);
  assert.equal(authorize.origin, "https://github.com");
  assert.equal(authorize.searchParams.get("client_id"), "tandem-test-client");
  // Built from the component's CONVEX_SITE_URL, which carries its httpPrefix.
  assert.equal(authorize.searchParams.get("redirect_uri"), `${backend.siteUrl}/oauth/github/callback`);

  const callback = `${backend.siteUrl}/oauth/github/callback`;
  const declined = await fetch(`${callback}?state=${start.state}&error=access_denied`, { redirect: "manual" });
  assert.equal(declined.status, 302);
  assert.equal(declined.headers.get("location"), "http://localhost:5173/chat?convexAuthError=access_denied");
  // The request was claimed by the component's mutation: the same state is now unknown.
  const replayed = await fetch(`${callback}?state=${start.state}&error=access_denied`, { redirect: "manual" });
  assert.equal(replayed.status, 400);
  assert.match(await replayed.text(), /expired or was already used/);
  const noState = await fetch(callback);
  assert.equal(noState.status, 400);
});
