/**
 * `"use node"` modules with npm packages the CLI marks external (`convex.json`
 * `node.externalPackages`): the push names them in `nodeDependencies` and the bundle imports them
 * by name; the backend loads them from the app's own `node_modules`, and refuses the push with a
 * clear message when it has no packages folder.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Webhook } from "svix";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, repoRoot, runConvex, tempDir } from "../server/fixture.js";

const SECRET = "whsec_" + Buffer.from("another-test-webhook-secret-32by").toString("base64");
const backends: Backend[] = [];

after(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

async function appWithExternalSvix(): Promise<string> {
  const app = await copyFixture("httpapp");
  await symlink(join(repoRoot, "node_modules", "svix"), join(app, "node_modules", "svix"), "dir");
  await writeFile(join(app, "convex.json"), JSON.stringify({ node: { externalPackages: ["svix"] } }));
  return app;
}

async function start(nodePackagesDir?: string): Promise<Backend> {
  const b = await startBackend({
    dataDir: await tempDir("external-packages"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    ...(nodePackagesDir ? { nodePackagesDir } : {}),
  });
  backends.push(b);
  await b.setEnvironmentVariables({ CLERK_WEBHOOK_SECRET: SECRET });
  return b;
}

test("without a packages folder, a push with external packages is refused and names them", async () => {
  const app = await appWithExternalSvix();
  const backend = await start();
  const r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], {
    url: backend.url,
    adminKey: backend.adminKey,
  });
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /marks npm packages as external \(svix@\d+\.\d+\.\d+/);
  assert.equal(backend.engine.current(), null, "nothing went live");
});

test('external packages load from the app\'s node_modules: the webhook verifies in the "use node" action', async () => {
  const app = await appWithExternalSvix();
  const backend = await start(app);
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  const node = backend.engine.current()!.modules.filter((m) => m.environment === "node");
  assert.ok(node.length > 0);
  assert.ok(
    node.some((m) => /from\s*"svix"/.test(m.source)),
    "the CLI left svix out of the bundle",
  );
  assert.deepEqual(
    backend.engine.current()!.nodePackages?.dependencies.map((d) => d.name),
    ["svix"],
  );

  const payload = JSON.stringify({ type: "user.created", data: { id: "user_ext", first_name: "Grace" } });
  const when = new Date();
  const r = await fetch(`${backend.siteUrl}/clerk-users-webhook`, {
    method: "POST",
    headers: {
      "svix-id": "msg_ext",
      "svix-timestamp": String(Math.floor(when.getTime() / 1000)),
      "svix-signature": new Webhook(SECRET).sign("msg_ext", when, payload),
    },
    body: payload,
  });
  assert.equal(r.status, 200, await r.clone().text());
  assert.deepEqual(await r.json(), { count: 1 });
});
