/**
 * HTTP routes mounted from components (`app.use(c, { httpPrefix })`), pushed with the official
 * CLI: a request under the prefix runs the component's `http.ts` route for the rest of the path,
 * in the component (its functions, its tables, its env, its site URL with the prefix); the app's
 * routes keep answering, an exact app route wins over a mount, and paths no router has are 404s.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, runConvex, tempDir } from "../server/fixture.js";
import { NO_ROUTE } from "../../src/http-actions/site-handler.js";

const api = anyApi;
let backend: Backend;
let client: ConvexHttpClient;

before(async () => {
  const app = await copyFixture("component-http");
  backend = await startBackend({
    dataDir: await tempDir("component-http"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  client = new ConvexHttpClient(backend.url);
  const r = await runConvex(app, ["dev", "--once"], { url: backend.url, adminKey: backend.adminKey });
  assert.equal(r.code, 0, r.output);
});

after(async () => {
  await backend?.close();
});

test("a request under a component's prefix runs its route, which calls its own mutation and query", async () => {
  const res = await fetch(`${backend.siteUrl}/oauth/github/callback?code=abc`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    provider: "github",
    // A mounted instance's site URL is where its routes are, as on Convex.
    siteUrl: `${backend.siteUrl}/oauth/github`,
    // The request keeps its full URL; only routing strips the prefix.
    url: `${backend.siteUrl}/oauth/github/callback?code=abc`,
    codes: ["abc"],
  });
  const other = await fetch(`${backend.siteUrl}/oauth/google/callback?code=xyz`);
  assert.equal(other.status, 200);
  assert.deepEqual(await other.json(), {
    provider: "google",
    siteUrl: `${backend.siteUrl}/oauth/google`,
    url: `${backend.siteUrl}/oauth/google/callback?code=xyz`,
    codes: ["xyz"],
  });
  // Each instance wrote its own table.
  assert.deepEqual(await client.query(api.codes!.all!, {}), { github: ["abc"], google: ["xyz"] });
});

test("a component's prefix route matches the rest of the path, with the request body", async () => {
  const res = await fetch(`${backend.siteUrl}/oauth/google/files/a/b.txt`, { method: "POST", body: "payload" });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { provider: "google", path: "/oauth/google/files/a/b.txt", body: "payload" });
});

test("the app's routes keep answering, and an exact app route under a prefix wins over the mount", async () => {
  const hello = await fetch(`${backend.siteUrl}/hello`);
  assert.equal(hello.status, 200);
  assert.equal(await hello.text(), "hello from the app");
  const status = await fetch(`${backend.siteUrl}/oauth/github/status`);
  assert.equal(status.status, 200);
  assert.deepEqual(await status.json(), { from: "app", codes: ["abc"] });
  // The main origin's `/http/` path routes the same way.
  const viaMain = await fetch(`${backend.url}/http/oauth/github/callback?code=def`);
  assert.equal(viaMain.status, 200);
  assert.deepEqual(((await viaMain.json()) as { codes: string[] }).codes, ["abc", "def"]);
});

test("paths and methods no router has are 404s", async () => {
  for (const [path, method] of [
    ["/oauth/github/nope", "GET"],
    // The mount is `/oauth/github/`: the bare prefix is not under it.
    ["/oauth/github", "GET"],
    ["/oauth/github/callback", "POST"],
    ["/oauth/other/callback", "GET"],
    // The component's routes are not on the site root.
    ["/callback", "GET"],
  ] as const) {
    const res = await fetch(`${backend.siteUrl}${path}`, { method });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(await res.text(), NO_ROUTE);
  }
});
