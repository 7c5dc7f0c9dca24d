/**
 * The Better Auth fixture's page (test/fixtures/better-auth/src: the React guide's `main.tsx` with
 * `ConvexBetterAuthProvider` and `expectAuth`, its `auth-client.ts`, and a small `App.tsx`) in
 * Debian's Chromium. The page is served from its own origin, so every call to the deployment's
 * site URL is cross-origin as on a real Vite dev server: the browser makes the CORS preflight, the
 * session cookie lives in localStorage (`crossDomainClient`) and goes out in `Better-Auth-Cookie`.
 * Bundled with esbuild, which reads `import.meta.env.VITE_*` and the `@/` path as Vite does.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { run } from "../support/backend.js";
import { launchChromium } from "../e2e/support/browser.js";

let backend: Backend;
let app: AppCopy;
let site: Server;
let siteUrl: string;
let browser: Browser;
let bundle = "";

before(async () => {
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-better-auth-browser-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  app = await copyApp("better-auth", ["@convex-dev/better-auth", "better-auth", "react", "react-dom"]);
  // The page's own origin (Vite's dev server in the guide), which the deployment's SITE_URL names.
  site = createServer(async (req, res) => {
    if (req.url === "/main.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
      return;
    }
    const html = (await readFile(join(app.dir, "index.html"), "utf8")).replace("/src/main.tsx", "/main.js");
    res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((done) => site.listen(0, "127.0.0.1", done));
  const address = site.address();
  siteUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  site?.close();
  await backend?.close();
  await app?.remove();
});

const status = (page: Page) => page.locator("#status");
/** Waits for the page to say `text`; on timeout, says what it showed instead. */
async function waitForStatus(page: Page, text: string | RegExp): Promise<void> {
  try {
    await page.locator("#status", { hasText: text }).waitFor({ timeout: 60_000 });
  } catch (e) {
    const shown = await page.locator("#status, #error").allTextContents();
    throw new Error(`waiting for ${String(text)}, the page shows ${JSON.stringify(shown)}: ${String(e)}`);
  }
}

test("pushed with its variables, then bundled as Vite would with the deployment's URLs", async () => {
  const deployment = { CONVEX_SELF_HOSTED_URL: backend.url, CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey };
  for (const [name, value] of [
    ["BETTER_AUTH_SECRET", "dGFuZGVtLXRlc3Qtc2VjcmV0LW5vdC1mb3ItcHJvZHVjdGlvbg=="],
    ["SITE_URL", siteUrl],
  ] as const) {
    const r = await run(app.dir, ["env", "set", name, value], deployment);
    assert.equal(r.code, 0, r.output);
  }
  await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  const out = await build({
    entryPoints: [join(app.dir, "src", "main.tsx")],
    absWorkingDir: app.dir,
    bundle: true,
    format: "esm",
    write: false,
    logLevel: "silent",
    define: {
      "import.meta.env.VITE_CONVEX_URL": JSON.stringify(backend.url),
      "import.meta.env.VITE_CONVEX_SITE_URL": JSON.stringify(backend.siteUrl),
      "process.env.NODE_ENV": '"development"',
    },
  });
  bundle = out.outputFiles[0]!.text;
  assert.ok(bundle.length > 0);
});

test("sign up, chat, reload still signed in, sign out, sign in again", { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const crossOrigin: string[] = [];
  page.on("response", (r) => {
    if (r.url().startsWith(backend.siteUrl))
      crossOrigin.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  await page.goto(siteUrl);
  await waitForStatus(page, "Signed out");

  await page.fill("input[name=name]", "Ada");
  await page.fill("input[name=email]", "ada@example.com");
  await page.fill("input[name=password]", "correct horse battery staple");
  await page.click("button[value=up]");
  await waitForStatus(page, "Signed in as Ada").catch((e: Error) => {
    throw new Error(`${e.message}\nrequests: ${crossOrigin.join(", ")}`);
  });
  assert.ok(crossOrigin.includes("POST /api/auth/sign-up/email 200"), crossOrigin.join(", "));
  assert.ok(crossOrigin.includes("GET /api/auth/convex/token 200"), crossOrigin.join(", "));

  await page.fill("input[name=body]", "Hello from the browser");
  await page.click("text=Send");
  await page.locator("#messages li", { hasText: "Hello from the browser" }).waitFor({ timeout: 30_000 });

  await page.reload();
  await waitForStatus(page, "Signed in as Ada");
  await page.locator("#messages li", { hasText: "Hello from the browser" }).waitFor({ timeout: 30_000 });

  await page.click("#sign-out");
  await waitForStatus(page, "Signed out");
  await page.reload();
  await waitForStatus(page, "Signed out");

  await page.fill("input[name=email]", "ada@example.com");
  await page.fill("input[name=password]", "not the password");
  await page.click("button[value=in]");
  await page.locator("#error", { hasText: /invalid/i }).waitFor({ timeout: 30_000 });
  await page.fill("input[name=password]", "correct horse battery staple");
  await page.click("button[value=in]");
  await waitForStatus(page, "Signed in as Ada");
  assert.equal(await status(page).count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
