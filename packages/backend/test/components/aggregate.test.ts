/**
 * `@convex-dev/aggregate` from npm, unmodified (it installs `@convex-dev/batch-worker` itself: a
 * component that uses another), pushed with the official CLI: a leaderboard whose counts, sums
 * and ranks stay right under concurrent writes, with deletes and paged iteration.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, tempDir } from "../server/fixture.js";
import { copyComponentFixture } from "./fixture.js";

const api = anyApi;
let backend: Backend;
let client: ConvexHttpClient;

before(async () => {
  const app = await copyComponentFixture("aggregate", ["aggregate", "batch-worker"]);
  backend = await startBackend({
    dataDir: await tempDir("aggregate-data"),
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

test("counts, sums, ranks and ordered iteration over the component's B-tree", async () => {
  for (const [player, score] of [
    ["ada", 10],
    ["bob", 30],
    ["cy", 20],
    ["dee", 5],
  ] as const) {
    await client.mutation(api.leaderboard!.add!, { player, score });
  }
  assert.deepEqual(await client.query(api.leaderboard!.stats!, {}), { count: 4, sum: 65, top: 30 });
  assert.equal(await client.query(api.leaderboard!.rankOf!, { score: 30 }), 0);
  assert.equal(await client.query(api.leaderboard!.rankOf!, { score: 20 }), 1);
  assert.deepEqual(await client.query(api.leaderboard!.ranked!, {}), [30, 20, 10, 5]);
});

test("concurrent writes from many clients leave the aggregate exact", async () => {
  const clients = Array.from({ length: 4 }, () => new ConvexHttpClient(backend.url));
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      clients[i % clients.length]!.mutation(api.leaderboard!.add!, { player: `p${i}`, score: 100 + i }),
    ),
  );
  const expectedSum = 65 + Array.from({ length: 40 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0);
  assert.deepEqual(await client.query(api.leaderboard!.stats!, {}), { count: 44, sum: expectedSum, top: 139 });
  assert.equal(await client.query(api.leaderboard!.rankOf!, { score: 30 }), 40);
  const ranked = (await client.query(api.leaderboard!.ranked!, {})) as number[];
  assert.equal(ranked.length, 44);
  assert.deepEqual(
    ranked,
    [...ranked].sort((a, b) => b - a),
  );
});

test("deletes are reflected in counts and ranks", async () => {
  const ids = (await client.query(api.leaderboard!.ids!, {})) as string[];
  await Promise.all(ids.slice(4).map((id) => client.mutation(api.leaderboard!.remove!, { id })));
  assert.deepEqual(await client.query(api.leaderboard!.stats!, {}), { count: 4, sum: 65, top: 30 });
  assert.deepEqual(await client.query(api.leaderboard!.ranked!, {}), [30, 20, 10, 5]);
});
