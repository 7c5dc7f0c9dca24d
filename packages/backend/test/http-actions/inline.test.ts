/**
 * HTTP actions when the backend runs functions on its own thread (`workers: 0`, as with an
 * injected storage): the same routes, streamed bodies, errors and "use node" calls.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, repoRoot, tempDir } from "../server/fixture.js";

let backend: Backend;

before(async () => {
  backend = await startBackend({
    dataDir: await tempDir("http-inline"),
    port: 0,
    sitePort: 0,
    workers: 0,
    logger: silentLogger,
  });
  const app = await copyFixture("httpapp");
  await symlink(join(repoRoot, "node_modules", "svix"), join(app, "node_modules", "svix"), "dir");
  await backend.setEnvironmentVariables({ CLERK_WEBHOOK_SECRET: "whsec_c2VjcmV0", GREETING: "inline" });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
});

after(async () => {
  await backend?.close();
});

test('routes, streamed bodies, errors, 404 and a "use node" call work inline', async () => {
  const hello = await fetch(`${backend.siteUrl}/hello?name=in`);
  assert.equal(await hello.text(), "hello in via /hello");
  const stream = await fetch(`${backend.siteUrl}/stream`, { method: "POST", body: "x".repeat(10) });
  assert.equal(await stream.text(), "part 0 of 10 bytes;part 1 of 10 bytes;part 2 of 10 bytes;");
  const boom = await fetch(`${backend.siteUrl}/boom`);
  assert.equal(boom.status, 500);
  assert.match(((await boom.json()) as { code: string }).code, /Server Error: Uncaught Error: boom$/);
  const missing = await fetch(`${backend.siteUrl}/missing`);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "No matching routes found");
  const env = (await (await fetch(`${backend.siteUrl}/env`)).json()) as {
    runtime: string;
    fromNode: { greeting: string; secretSetAtLoad: boolean };
  };
  assert.equal(env.runtime, "inline");
  assert.deepEqual([env.fromNode.greeting, env.fromNode.secretSetAtLoad], ["inline", true]);
});

test("before anything is pushed, the site answers Convex's 404", async () => {
  const fresh = await startBackend({
    dataDir: await tempDir("http-empty"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  try {
    const r = await fetch(`${fresh.siteUrl}/anything`, { method: "POST", body: "x" });
    assert.equal(r.status, 404);
    assert.equal(await r.text(), "No matching routes found");
  } finally {
    await fresh.close();
  }
});
