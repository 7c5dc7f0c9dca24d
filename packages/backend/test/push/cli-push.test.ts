/**
 * The official `convex` 1.48.0 CLI against a real Tandem backend: `dev --once` (with codegen),
 * `deploy` with index changes, `run`, `env set|get|list|remove`, a refused schema push, and a
 * restart that serves the last push again.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";

const api = anyApi;
let dataDir: string;
let app: string;
let backend: Backend;
const ISSUER = "https://issuer.example.com";

const deployment = () => ({ url: backend.url, adminKey: backend.adminKey });
const start = () => startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger });

before(async () => {
  dataDir = await tempDir("cli-data");
  app = await copyFixture("multi");
  backend = await start();
});

after(async () => {
  await backend?.close();
});

test("a push without an env var the auth config reads is refused, naming the variable", async () => {
  const r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], deployment());
  assert.equal(r.code, 1, r.output);
  assert.match(
    r.output,
    /Environment variable TEST_ISSUER_DOMAIN is used in auth config file but its value was not set/,
  );
  const live = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    body: JSON.stringify({ path: "channels:list", args: {} }),
  });
  assert.equal(((await live.json()) as { status: string }).status, "error", "nothing went live");
});

test("npx convex env set, then dev --once pushes every module and writes _generated/", async () => {
  const set = await runConvex(app, ["env", "set", "TEST_ISSUER_DOMAIN", ISSUER], deployment());
  assert.equal(set.code, 0, set.output);
  const r = await pushOnce(app, deployment());
  assert.match(r.output, /Added table indexes:/);
  assert.match(r.output, /messages\.by_author_and_channel\s+author, channel/);
  for (const f of ["api.js", "api.d.ts", "server.js", "server.d.ts", "dataModel.d.ts"]) {
    assert.ok(existsSync(join(app, "convex", "_generated", f)), `_generated/${f} written`);
  }
  const envLocal = await readFile(join(app, ".env.local"), "utf8");
  assert.match(envLocal, new RegExp(`CONVEX_URL=${backend.url}`));
  assert.match(envLocal, new RegExp(`CONVEX_SITE_URL=${backend.url.replace(/:\d+$/, "")}:\\d+`));
  const indexes = backend.storage
    .indexes("messages")
    .map((i) => i.name)
    .sort();
  assert.deepEqual(
    indexes.filter((n) => n.startsWith("by_") && !["by_id", "by_creation_time"].includes(n)),
    ["by_author_and_channel", "by_channel"],
  );
});

test("functions answer through ConvexHttpClient: mutations, indexed queries, actions, ConvexError, auth", async () => {
  const client = new ConvexHttpClient(backend.url);
  const general = await client.mutation(api.channels!.create!, { name: "general" });
  assert.equal(typeof general, "string");
  const id1 = await client.mutation(api.messages!.send!, { channel: general, author: "ada", body: "hello" });
  await client.mutation(api.messages!.send!, { channel: general, author: "bob", body: "hi" });
  const list = (await client.query(api.messages!.list!, { channel: general })) as Array<{
    body: string;
    author: string;
  }>;
  assert.deepEqual(
    list.map((m) => m.body),
    ["hello", "hi"],
  );
  const byAda = (await client.query(api.messages!.byAuthor!, { author: "ada" })) as Array<{ _id: string }>;
  assert.deepEqual(
    byAda.map((m) => m._id),
    [id1],
  );
  assert.equal(await client.mutation(api.messages!.like!, { id: id1 }), 1);
  assert.equal(await client.mutation(api.messages!.like!, { id: id1 }), 2);
  const count = await client.action(api.actions!.sendTwice!, { channel: general, author: "cy", body: "yo" });
  assert.equal(count, 4);
  await assert.rejects(
    client.mutation(api.messages!.send!, { channel: general, author: "ada", body: "" }),
    (e: Error & { data?: unknown }) => {
      assert.deepEqual(e.data, { code: "EMPTY", message: "empty message" });
      return true;
    },
  );
  assert.equal(await client.query(api.users!.whoami!, {}), null);
  assert.equal(await client.query(api.env!.read!, { name: "TEST_ISSUER_DOMAIN" }), ISSUER);
});

test("npx convex run: public, internal, with an identity, and a missing function lists what exists", async () => {
  const run = (...args: string[]) => runConvex(app, ["run", ...args], deployment());
  const channels = await run("channels:list");
  assert.equal(channels.code, 0, channels.output);
  assert.equal((JSON.parse(channels.stdout) as Array<{ name: string }>)[0]!.name, "general");
  const who = await run("users:whoami", "{}", "--identity", '{"name":"Ada","subject":"user_1"}');
  assert.equal(who.code, 0, who.output);
  assert.deepEqual(JSON.parse(who.stdout), { subject: "user_1", issuer: "https://convex.test", name: "Ada" });
  const internal = await run("messages:clearAll");
  assert.equal(internal.code, 0, internal.output);
  assert.equal(internal.stdout.trim(), "4");
  const missing = await run("messages:nope");
  assert.equal(missing.code, 1);
  assert.match(missing.output, /Could not find function for 'messages:nope'/);
  assert.match(missing.output, /Available functions:[\s\S]*messages:clearAll/);
});

test("npx convex env set|get|list|remove", async () => {
  const env = (...args: string[]) => runConvex(app, ["env", ...args], deployment());
  assert.equal((await env("set", "GREETING", "hello world")).code, 0);
  const got = await env("get", "GREETING");
  assert.equal(got.stdout.trim(), "hello world");
  const list = await env("list", "--include-values");
  assert.match(list.stdout, /^GREETING="?hello world"?$/m);
  assert.match(list.stdout, new RegExp(`^TEST_ISSUER_DOMAIN=${ISSUER}$`, "m"));
  const client = new ConvexHttpClient(backend.url);
  assert.equal(await client.query(api.env!.read!, { name: "GREETING" }), "hello world", "functions see the new value");
  assert.equal((await env("remove", "GREETING")).code, 0);
  assert.doesNotMatch((await env("list", "--include-values")).stdout, /GREETING/);
  assert.equal(await client.query(api.env!.read!, { name: "GREETING" }), null);
  const bad = await env("set", "THIS_NAME_IS_DEFINITELY_LONGER_THAN_FORTY_CHARACTERS", "x");
  assert.notEqual(bad.code, 0);
  assert.match(bad.output, /between 1 and 40 characters/);
});

test("npx convex deploy replaces an index; queries keep working on the new one", async () => {
  const schemaPath = join(app, "convex", "schema.ts");
  const schema = await readFile(schemaPath, "utf8");
  await writeFile(schemaPath, schema.replace('.index("by_name", ["name"])', '.index("by_name_v2", ["name"])'));
  const channelsPath = join(app, "convex", "channels.ts");
  await writeFile(channelsPath, (await readFile(channelsPath, "utf8")).replace('"by_name"', '"by_name_v2"'));
  const r = await runConvex(app, ["deploy", "--typecheck", "disable", "-y"], deployment());
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /Deleted table indexes:\s*\n\s*\[-\] channels\.by_name\s/);
  assert.match(r.output, /Added table indexes:\s*\n\s*\[\+\] channels\.by_name_v2\s/);
  assert.deepEqual(
    backend.storage
      .indexes("channels")
      .map((i) => i.name)
      .filter((n) => n.startsWith("by_name")),
    ["by_name_v2"],
  );
  const client = new ConvexHttpClient(backend.url);
  const general = (await client.query(api.channels!.byName!, { name: "general" })) as { name: string } | null;
  assert.equal(general?.name, "general", "the backfilled index serves the existing document");
});

test("a schema that existing documents violate is refused, naming the document, and nothing goes live", async () => {
  const client = new ConvexHttpClient(backend.url);
  const general = (await client.query(api.channels!.byName!, { name: "general" })) as { _id: string };
  const schemaPath = join(app, "convex", "schema.ts");
  const good = await readFile(schemaPath, "utf8");
  const bad = good.replace("defineTable({ name: v.string() })", "defineTable({ name: v.string(), topic: v.string() })");
  assert.notEqual(bad, good);
  await writeFile(
    schemaPath,
    bad.replace('.index("by_name_v2", ["name"])', '.index("by_name_v2", ["name"]).index("by_topic", ["topic"])'),
  );
  const before = backend.engine.current()?.version;
  const r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], deployment());
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /Schema validation failed/);
  assert.ok(
    r.output.includes(
      `Document with ID "${general._id}" in table "channels" does not match the schema: Object is missing the required field \`topic\``,
    ),
    r.output,
  );
  assert.equal(backend.engine.current()?.version, before, "the old deployment is still live");
  assert.ok(!backend.storage.indexes("channels").some((i) => i.name === "by_topic"), "no index was created");
  assert.equal(((await client.query(api.channels!.list!, {})) as unknown[]).length, 1);
  await writeFile(schemaPath, good);
});

test("a restart serves the last push, its env vars and its data again", async () => {
  const key = backend.adminKey;
  await backend.close();
  backend = await start();
  assert.equal(backend.adminKey, key, "the generated admin key is kept in the data folder");
  const client = new ConvexHttpClient(backend.url);
  const general = (await client.query(api.channels!.byName!, { name: "general" })) as { name: string } | null;
  assert.equal(general?.name, "general");
  assert.equal(await client.query(api.env!.read!, { name: "TEST_ISSUER_DOMAIN" }), ISSUER);
  // Nothing changed locally, so the CLI finds every module unchanged by hash.
  const hashes = await fetch(`${backend.url}/api/get_config_hashes`, {
    method: "POST",
    headers: { Authorization: `Convex ${backend.adminKey}` },
    body: JSON.stringify({ version: "1.48.0", adminKey: backend.adminKey }),
  });
  const body = (await hashes.json()) as { moduleHashes: Array<{ path: string }> };
  assert.ok(body.moduleHashes.some((m) => m.path === "messages.js"));
  const r = await pushOnce(app, deployment());
  assert.doesNotMatch(r.output, /Added table indexes/);
});

test("push endpoints refuse a wrong admin key with 401 BadAdminKey", async () => {
  const r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], {
    url: backend.url,
    adminKey: "tandem|wrong",
  });
  assert.equal(r.code, 1);
  assert.match(r.output, /BadAdminKey/);
  const res = await fetch(`${backend.url}/api/v1/get_canonical_urls`, { headers: { Authorization: "Convex nope" } });
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), {
    code: "BadAdminKey",
    message: "The provided admin key was invalid for this instance",
  });
});
