/**
 * Better Auth on Convex (`@convex-dev/better-auth` 0.12.5 with `better-auth` 1.6.34, the newest
 * release in the component's peer range; test/fixtures/better-auth) set up as the component's
 * "React (Vite SPA)" guide shows, pushed with the official CLI and driven as its client does:
 * `createAuthClient` from `better-auth/client` with `convexClient()` and `crossDomainClient()`
 * against the deployment's site URL (the session cookie kept in storage and sent back in the
 * `Better-Auth-Cookie` header, as in a browser on another origin), the Convex JWT from
 * `/api/auth/convex/token` handed to the Convex clients' `setAuth`, as `ConvexBetterAuthProvider`
 * does. The JWT is RS256, signed by Better Auth's `jwt` plugin inside an HTTP action with a key
 * kept in the component's `jwks` table; the backend verifies it against
 * `${CONVEX_SITE_URL}/api/auth/convex/jwks`, served by the same deployment.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createAuthClient } from "better-auth/client";
import { convexClient, crossDomainClient } from "@convex-dev/better-auth/client/plugins";
import { createLogger, silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { run } from "../support/backend.js";
import { until } from "../support/app-clients.js";

const api = anyApi;
const SITE_URL = "http://localhost:5173";
const PASSWORD = "correct horse battery staple";

let backend: Backend;
let app: AppCopy;
const clients: ConvexClient[] = [];

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

/** The page's `authClient`: its own localStorage, and the Origin a browser on the site sends. */
type AuthClient = ReturnType<typeof authClient>;
function authClient() {
  const store = new Map<string, string>();
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  };
  return createAuthClient({
    baseURL: backend.siteUrl,
    fetchOptions: { headers: { origin: SITE_URL } },
    plugins: [convexClient(), crossDomainClient({ storage })],
  });
}

function wsClient(): ConvexClient {
  const c = new ConvexClient(backend.url);
  clients.push(c);
  return c;
}

before(async () => {
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-better-auth-")),
    port: 0,
    sitePort: 0,
    logger: process.env.BA_LOG
      ? createLogger("t", { level: "debug", write: (l) => process.stderr.write(l + "\n") })
      : silentLogger,
  });
  app = await copyApp("better-auth", ["@convex-dev/better-auth", "better-auth"]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend?.close();
  await app?.remove();
});

test("the app pushes with the official CLI and takes its variables from `convex env set`", async () => {
  const deployment = { CONVEX_SELF_HOSTED_URL: backend.url, CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey };
  for (const [name, value] of [
    ["BETTER_AUTH_SECRET", "dGFuZGVtLXRlc3Qtc2VjcmV0LW5vdC1mb3ItcHJvZHVjdGlvbg=="],
    ["SITE_URL", SITE_URL],
  ]) {
    const r = await run(app.dir, ["env", "set", name!, value!], deployment);
    assert.equal(r.code, 0, r.output);
  }
  const output = await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  assert.match(output, /Convex functions ready/);
});

type User = { _id: string; email: string; name: string };
type Message = { body: string; author: string };

/** `ConvexBetterAuthProvider`'s `fetchAccessToken`: the Convex JWT, or null when signed out. */
const fetchAccessToken = (auth: AuthClient) => async () =>
  auth.convex
    .token({ fetchOptions: { throw: false } })
    .then(({ data }) => data?.token || null)
    .catch(() => null);

test("CORS: the page's origin may call the auth routes with its cookie header and read the cookie it gets", async () => {
  const preflight = await fetch(`${backend.siteUrl}/api/auth/sign-in/email`, {
    method: "OPTIONS",
    headers: {
      origin: SITE_URL,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,better-auth-cookie",
    },
  });
  assert.ok(preflight.status === 204 || preflight.status === 200, String(preflight.status));
  assert.equal(preflight.headers.get("access-control-allow-origin"), SITE_URL);
  assert.equal(preflight.headers.get("access-control-allow-credentials"), "true");
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /better-auth-cookie/i);
  assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
  const session = await fetch(`${backend.siteUrl}/api/auth/get-session`, { headers: { origin: SITE_URL } });
  assert.equal(session.status, 200);
  assert.equal(session.headers.get("access-control-allow-origin"), SITE_URL);
  assert.match(session.headers.get("access-control-expose-headers") ?? "", /set-better-auth-cookie/i);
});

test("sign-up, the session, the Convex JWT, and the app's functions as that user", async () => {
  const auth = authClient();
  const up = await auth.signUp.email({ email: "ada@example.com", password: PASSWORD, name: "Ada" });
  assert.equal(up.error, null, JSON.stringify(up.error));
  assert.equal(up.data?.user.email, "ada@example.com");
  const session = await auth.getSession();
  assert.equal(session.error, null, JSON.stringify(session.error));
  assert.equal(session.data?.user.name, "Ada");

  const token = await auth.convex.token();
  assert.equal(token.error, null, JSON.stringify(token.error));
  const jwt = token.data!.token;
  const header = JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()) as { alg: string; kid: string };
  assert.equal(header.alg, "RS256");
  const t = claims(jwt);
  assert.deepEqual(
    [t.iss, t.aud, t.sessionId, t.email],
    [backend.siteUrl, "convex", session.data?.session.id, "ada@example.com"],
  );

  const http = new ConvexHttpClient(backend.url);
  http.setAuth(jwt);
  const me = (await http.query(api.auth!.getCurrentUser!, {})) as User;
  assert.deepEqual([me.email, me.name], ["ada@example.com", "Ada"]);
  const id = (await http.query(api.messages!.identity!, {})) as Record<string, unknown>;
  assert.deepEqual(id, {
    subject: me._id,
    issuer: backend.siteUrl,
    email: "ada@example.com",
    name: "Ada",
    sessionId: session.data?.session.id,
  });
  await http.mutation(api.messages!.send!, { body: "Hello" });
  await assert.rejects(new ConvexHttpClient(backend.url).query(api.auth!.getCurrentUser!, {}), /Unauthenticated/);

  const taken = await auth.signUp.email({ email: "ada@example.com", password: PASSWORD, name: "Ada 2" });
  assert.equal(taken.error?.status, 422, JSON.stringify(taken.error));
});

test("a wrong password is refused; sign-in on another page, a live query, and sign-out that it sees", async () => {
  const auth = authClient();
  const wrong = await auth.signIn.email({ email: "ada@example.com", password: "not the password at all" });
  assert.equal(wrong.error?.status, 401, JSON.stringify(wrong.error));
  assert.equal((await auth.getSession()).data, null);

  const r = await auth.signIn.email({ email: "ada@example.com", password: PASSWORD });
  assert.equal(r.error, null, JSON.stringify(r.error));
  const c = wsClient();
  c.setAuth(fetchAccessToken(auth));
  const me = await until<User | null>(c, api.auth!.getCurrentUser!, {}, (u) => u !== null, "the current user");
  assert.equal(me?.name, "Ada");
  const mine = await until<Message[] | null>(c, api.messages!.mine!, {}, (l) => l?.length === 1, "her message");
  assert.deepEqual({ body: mine![0]!.body, author: mine![0]!.author }, { body: "Hello", author: "Ada" });

  // Sign-out deletes the session: `safeGetAuthUser` reads it, so the open query turns to null
  // although the Convex JWT has not expired.
  const seen: unknown[] = [];
  const stop = c.onUpdate(api.messages!.mine!, {}, (l) => seen.push(l));
  const out = await auth.signOut();
  assert.equal(out.error, null, JSON.stringify(out.error));
  await until<unknown>(c, api.messages!.mine!, {}, (l) => l === null, "her messages after sign-out");
  stop();
  assert.ok(seen.some((l) => l !== null) && seen.at(-1) === null, JSON.stringify(seen));
  assert.equal((await auth.getSession()).data, null);
  assert.equal(await fetchAccessToken(auth)(), null);
});

test("the deployment's discovery document and keys, and a token under its issuer but another key refused", async () => {
  const root = await fetch(`${backend.siteUrl}/.well-known/openid-configuration`);
  assert.equal(root.status, 200, "redirected to the auth route's document");
  const doc = (await root.json()) as { issuer: string; jwks_uri: string };
  assert.equal(doc.issuer, backend.siteUrl);
  assert.equal(doc.jwks_uri, `${backend.siteUrl}/api/auth/convex/jwks`);
  const jwks = (await (await fetch(doc.jwks_uri)).json()) as { keys: { kid: string; alg: string; kty: string }[] };
  assert.equal(jwks.keys.length, 1);
  assert.deepEqual([jwks.keys[0]!.alg, jwks.keys[0]!.kty], ["RS256", "RSA"]);

  const { generateKeyPair, SignJWT } = await import("jose");
  const other = await generateKeyPair("RS256");
  const forged = await new SignJWT({ sub: "x", sessionId: "y" })
    .setProtectedHeader({ alg: "RS256", kid: jwks.keys[0]!.kid })
    .setIssuer(backend.siteUrl)
    .setAudience("convex")
    .setIssuedAt()
    .setExpirationTime("1m")
    .sign(other.privateKey);
  const c = new ConvexHttpClient(backend.url);
  c.setAuth(forged);
  await assert.rejects(c.query(api.messages!.identity!, {}));
});

/** Signs in on a fresh page and returns its Convex JWT. */
async function signedInToken(): Promise<{ auth: AuthClient; jwt: string }> {
  const auth = authClient();
  const r = await auth.signIn.email({ email: "ada@example.com", password: PASSWORD });
  assert.equal(r.error, null, JSON.stringify(r.error));
  const jwt = await fetchAccessToken(auth)();
  assert.ok(jwt, "a Convex JWT");
  return { auth, jwt };
}
const kid = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
const deployment = () => ({ CONVEX_SELF_HOSTED_URL: backend.url, CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey });

test("rotateKeys: a token under the new key is accepted at once, though the old key set is cached", async () => {
  const before = await signedInToken();
  const h = new ConvexHttpClient(backend.url);
  h.setAuth(before.jwt);
  assert.equal(((await h.query(api.auth!.getCurrentUser!, {})) as User).name, "Ada");

  const rotated = await run(app.dir, ["run", "auth:rotateKeys"], deployment());
  assert.equal(rotated.code, 0, rotated.output);
  const after = await signedInToken();
  assert.notEqual(kid(after.jwt), kid(before.jwt));
  h.setAuth(after.jwt);
  assert.equal(((await h.query(api.auth!.getCurrentUser!, {})) as User).name, "Ada");
  const c = wsClient();
  c.setAuth(fetchAccessToken(after.auth));
  await until<User | null>(c, api.auth!.getCurrentUser!, {}, (u) => u?.name === "Ada", "the user over the websocket");
});

test("Static JWKS: the key set in a variable, given to the auth config as a data: URI", async () => {
  // `npx convex run auth:getLatestJwks | npx convex env set JWKS`
  const latest = await run(app.dir, ["run", "auth:getLatestJwks"], deployment());
  assert.equal(latest.code, 0, latest.output);
  const jwks = latest.output.slice(latest.output.indexOf("["), latest.output.lastIndexOf("]") + 1);
  const [key] = JSON.parse(jwks) as { id: string }[];
  const set = await run(app.dir, ["env", "set", "JWKS", jwks], deployment());
  assert.equal(set.code, 0, set.output);
  // The page's two edits, then the push `convex dev` makes on save.
  const config = join(app.dir, "convex", "auth.config.ts");
  const authTs = join(app.dir, "convex", "auth.ts");
  await writeFile(
    config,
    (await readFile(config, "utf8")).replace(
      "getAuthConfigProvider()",
      "getAuthConfigProvider({ jwks: process.env.JWKS })",
    ),
  );
  await writeFile(
    authTs,
    (await readFile(authTs, "utf8")).replace(
      "convex({ authConfig })",
      "convex({ authConfig, jwks: process.env.JWKS })",
    ),
  );
  await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });

  const { auth, jwt } = await signedInToken();
  assert.equal(kid(jwt), key!.id, "signed with the key from the variable");
  const h = new ConvexHttpClient(backend.url);
  h.setAuth(jwt);
  assert.equal(((await h.query(api.auth!.getCurrentUser!, {})) as User).name, "Ada");
  const c = wsClient();
  c.setAuth(fetchAccessToken(auth));
  await until<User | null>(c, api.auth!.getCurrentUser!, {}, (u) => u?.name === "Ada", "the user over the websocket");
});
