/**
 * `@convex-dev/action-cache` 0.3.2 from npm, unmodified, pushed with the official CLI and driven
 * by the official client, following its README: `fetch` runs the action once per name and
 * arguments and serves the cached value after; a TTL (the cache's or the fetch's) expires it;
 * `force` re-runs; `remove`, `removeAllForName` and `removeAll` clear values.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { action, mutation, query } from "../scheduler/support.js";
import { copyComponentFixture } from "./fixture.js";

const ex = anyApi.example!;
let backend: Backend;
let client: ConvexHttpClient;
let app: string;
type Embedding = { text: string; run: number; vector: number[] };

before(async () => {
  app = await copyComponentFixture("action-cache", ["action-cache"]);
  backend = await startBackend({
    dataDir: await tempDir("action-cache-data"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
});

after(async () => {
  await backend?.close();
});

const fetchOne = (text: string, cache: "v1" | "short" = "v1", force?: boolean) =>
  action<Embedding>(client, ex.fetchEmbedding, { text, cache, ...(force ? { force } : {}) });
const runs = (text: string) => query<number>(client, ex.runs, { text });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("fetch runs the action on a miss and serves the cached value after", async () => {
  const first = await fetchOne("pizza");
  assert.equal(first.run, 1);
  assert.equal(first.vector.length, 5);
  assert.deepEqual(await fetchOne("pizza"), first);
  assert.equal(await runs("pizza"), 1, "the second fetch was a hit");
  assert.equal((await fetchOne("sushi")).run, 1, "other arguments are another entry");
  // Another cache name over the same action is another entry too.
  assert.equal((await fetchOne("pizza", "short")).run, 2);
  assert.equal(await runs("pizza"), 2);
});

test("force re-runs the action and updates the cached value", async () => {
  await fetchOne("ramen");
  const forced = await fetchOne("ramen", "v1", true);
  assert.equal(forced.run, 2);
  assert.equal((await fetchOne("ramen")).run, 2, "the forced value is the one cached");
});

test("a TTL given to fetch expires values", async () => {
  const withTtl = (ttl: number) => action<Embedding>(client, ex.fetchWithTtl, { text: "pho", ttl });
  assert.equal((await withTtl(1_500)).run, 1);
  assert.equal((await withTtl(1_500)).run, 1, "fresh");
  await sleep(1_600);
  // Another TTL is another `get` call, so no cached query result stands in for the expiry check.
  assert.equal((await withTtl(1_550)).run, 2, "older than the TTL: re-run");
  assert.equal((await withTtl(60_000)).run, 2, "the new value is fresh");
});

test("remove clears one entry by arguments", async () => {
  await fetchOne("curry");
  await fetchOne("salad");
  await mutation(client, ex.remove, { text: "curry" });
  assert.equal((await fetchOne("curry")).run, 2, "removed: re-run");
  assert.equal((await fetchOne("salad")).run, 1, "kept");
});

test("removeAllForName clears the name's entries only; removeAll clears every name", async () => {
  await fetchOne("bagel");
  await fetchOne("bagel", "short");
  await action(client, ex.removeAllForName);
  assert.equal((await fetchOne("bagel")).run, 3, "embed-v1 entry removed");
  assert.equal((await fetchOne("bagel", "short")).run, 2, "embed-short entry kept");

  await mutation(client, ex.removeAll);
  assert.equal((await fetchOne("bagel")).run, 4);
  assert.equal((await fetchOne("bagel", "short")).run, 5);
});

test("the component's purge (its daily cron's function) runs from the CLI", async () => {
  const r = await runConvex(app, ["run", "--component", "actionCache", "crons:purge", "{}"], {
    url: backend.url,
    adminKey: backend.adminKey,
  });
  assert.equal(r.code, 0, r.output);
});
