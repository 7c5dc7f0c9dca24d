/**
 * Social sign-in and passkeys in Chromium, through the guide's React app on @tandem/react
 * (test/e2e/support/factors-page.tsx) and a real Convex backend:
 *   - `<SignIn />` offers "Continue with Acme ID" (from the instance's environment); the browser goes
 *     to a real OIDC provider (`oidc-provider`), back to the identity service's callback and to the
 *     app's `/sso-callback`, and the app is signed in — the backend's `ctx.auth` sees the user;
 *   - `<UserProfile />` adds a passkey with Chromium's virtual authenticator (CDP WebAuthn); after
 *     signing out, "Use passkey" signs in with it; the passkey is removed again;
 *   - a forged OAuth `state` in the browser is a Clerk error and changes nothing.
 * The page's origin serves the identity service under /__identity (its issuer), so the provider's
 * callback carries the page's own cookies.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { launchChromium } from "./support/browser.js";
import { freePort } from "./support/demo.js";
import { startIdentity, type TestIdentity } from "../support/identity.js";
import { startBackendWithApp, type TestBackend } from "../support/backend.js";
import { startOidcProvider, type TestOidc } from "../../packages/identity/test/support/oidc-provider.js";

const here = dirname(fileURLToPath(import.meta.url));
let oidc: TestOidc;
let identity: TestIdentity;
let app: TestBackend;
let pageServer: Server;
let browser: Browser;
let page: string;

/** The page, its bundle, and the identity service under /__identity (headers, Origin included, passed on). */
async function servePage(port: number, config: object): Promise<Server> {
  const bundle = await build({
    entryPoints: [join(here, "support/factors-page.tsx")],
    bundle: true,
    format: "esm",
    platform: "browser",
    jsx: "automatic",
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"development"' },
  });
  const script = bundle.outputFiles[0]!.text;
  const html = `<!doctype html><html><body><div id="root"></div><script>window.PAGE_CONFIG=${JSON.stringify(config)}</script><script type="module" src="/main.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/__identity/")) {
      const target = new URL(url.slice("/__identity".length), identity.url);
      const headers = { ...req.headers, host: target.host };
      const up = request(target, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on("error", () => res.writeHead(502).end());
      return void req.pipe(up);
    }
    if (url === "/main.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    if (url === "/favicon.ico") return void res.writeHead(204).end();
    res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return server;
}

before(async () => {
  const port = await freePort();
  // localhost, not 127.0.0.1: a WebAuthn relying-party id must be a domain.
  page = `http://localhost:${port}`;
  oidc = await startOidcProvider();
  identity = await startIdentity({
    publicUrl: `${page}/__identity`,
    allowedOrigins: [page],
    oauthProviders: [
      {
        provider: "acme",
        name: "Acme ID",
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        clientSecret: oidc.clientSecret,
      },
    ],
  });
  oidc.allowRedirect(`${identity.issuer}/v1/oauth_callback`);
  // The backend reads the issuer's keys through the page server (started next) when a token arrives.
  app = await startBackendWithApp("whoami", identity.issuer);
  pageServer = await servePage(port, {
    publishableKey: identity.publishableKey,
    frontendApi: identity.issuer,
    convexUrl: app.backend.url,
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (pageServer ? pageServer.close(() => r()) : r()));
  await app?.stop();
  await identity?.stop();
  await oidc?.close();
});

const users = async () =>
  (await (
    await fetch(`${identity.url}/backend/v1/users`, { headers: { authorization: `Bearer ${identity.secretKey}` } })
  ).json()) as { id: string; email_addresses: { email_address: string }[] }[];

test("Chromium: social sign-in through <SignIn />, a passkey from <UserProfile />, a forged state refused", async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const errors: string[] = [];
  tab.on("pageerror", (e) => errors.push(String(e)));

  // <SignIn /> offers the provider and passkeys the instance enables.
  oidc.as = { sub: "alice", email: "alice@oidc.test", email_verified: true, given_name: "Alice" };
  await tab.goto(page);
  const social = tab.getByRole("button", { name: "Continue with Acme ID" });
  await social.waitFor();
  assert.equal(await tab.getByRole("button", { name: "Use passkey" }).count(), 1);

  // The provider trip: provider → identity callback → /sso-callback → back to the page, signed in.
  const visited: string[] = [];
  tab.on("request", (r) => r.isNavigationRequest() && visited.push(r.url()));
  await social.click();
  await tab.getByText("Server sees alice@oidc.test").waitFor({ timeout: 30_000 });
  assert.ok(
    visited.some((u) => u.startsWith(oidc.issuer)),
    `went to the provider: ${visited.join(" ")}`,
  );
  assert.ok(
    visited.some((u) => u.startsWith(`${page}/sso-callback`)),
    "came back to the callback page",
  );
  assert.equal(new URL(tab.url()).pathname, "/");
  const all = await users();
  assert.deepEqual(
    all.map((u) => u.email_addresses[0]!.email_address),
    ["alice@oidc.test"],
  );
  await tab.getByText("Acme ID · alice@oidc.test").waitFor(); // connected accounts in <UserProfile />

  // A passkey from <UserProfile /> with the virtual authenticator.
  await tab.getByRole("button", { name: "Add a passkey" }).click();
  await tab.getByText("Passkey added.").waitFor();
  assert.equal(await tab.getByRole("list", { name: "Passkeys" }).getByRole("listitem").count(), 1);
  const authenticators = await cdp.send("WebAuthn.getCredentials", { authenticatorId }).then((r) => r.credentials);
  assert.equal(authenticators.length, 1, "the credential lives in the virtual authenticator");
  assert.equal(authenticators[0]!.isResidentCredential, true);

  // Signed out, "Use passkey" signs in with it.
  await tab.getByRole("button", { name: "Sign out" }).click();
  await tab.getByRole("button", { name: "Use passkey" }).click();
  await tab.getByText("Server sees alice@oidc.test").waitFor({ timeout: 20_000 });

  // A forged state at the callback: a Clerk error in the browser, nothing changed.
  const callback = `${identity.issuer}/v1/oauth_callback?state=sia_forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=x`;
  const forged = await tab.goto(callback);
  assert.equal(forged?.status(), 422);
  assert.equal(((await forged!.json()) as any).errors[0].code, "oauth_state_invalid");
  await tab.goto(page);
  await tab.getByText("Server sees alice@oidc.test").waitFor();
  assert.equal((await users()).length, 1);

  // Removing the passkey from <UserProfile />.
  await tab.getByRole("button", { name: /Remove passkey/ }).click();
  await tab.getByText("Passkey removed.").waitFor();
  assert.equal(await tab.getByRole("list", { name: "Passkeys" }).getByRole("listitem").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
