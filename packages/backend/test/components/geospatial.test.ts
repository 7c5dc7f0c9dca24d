/**
 * `@convex-dev/geospatial` 0.2.1 from npm, unmodified, pushed with the official CLI and driven by
 * the official clients, following its README: insert, get and remove points; rectangle queries
 * sorted by the sort key, with `eq`, `in` and sort-key range filters, a limit and a cursor;
 * `nearest` with a limit, a maximum distance and a filter; a subscribed rectangle query updates
 * when a point lands in it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, tempDir } from "../server/fixture.js";
import { mutation, query, until } from "../scheduler/support.js";
import { copyComponentFixture } from "./fixture.js";

const geo = anyApi.index!;
let backend: Backend;
let client: ConvexHttpClient;
let live: ConvexClient;
type Point = { latitude: number; longitude: number };
type Page = { results: { key: string; coordinates: Point }[]; nextCursor?: string };
type Near = { key: string; coordinates: Point; distance: number }[];

// Manhattan points (category, sort key) and one in Boston.
const places: [string, number, number, string, number][] = [
  ["amnh", 40.7813, -73.9737, "museum", 28],
  ["met", 40.7794, -73.9632, "museum", 30],
  ["moma", 40.7614, -73.9776, "museum", 25],
  ["katz", 40.7223, -73.9874, "restaurant", 15],
  ["joes", 40.7306, -74.0021, "restaurant", 5],
  ["bluebottle", 40.742, -74.0048, "coffee", 6],
  ["common", 42.3551, -71.0656, "park", 1],
];
const manhattan = { west: -74.05, south: 40.7, east: -73.9, north: 40.8 };

before(async () => {
  const app = await copyComponentFixture("geospatial", ["geospatial"]);
  backend = await startBackend({
    dataDir: await tempDir("geospatial-data"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
  live = new ConvexClient(backend.url);
  for (const [key, latitude, longitude, category, sortKey] of places)
    await mutation(client, geo.insert, { key, point: { latitude, longitude }, category, sortKey });
});

after(async () => {
  await live?.close();
  await backend?.close();
});

const keys = (p: Page) => p.results.map((r) => r.key);
const inRect = (args: Record<string, unknown> = {}) =>
  query<Page>(client, geo.inRectangle, { rectangle: manhattan, ...args });

test("get returns an inserted point with its filter keys and sort key", async () => {
  const doc = await query<Record<string, unknown>>(client, geo.get, { key: "amnh" });
  assert.deepEqual(doc.coordinates, { latitude: 40.7813, longitude: -73.9737 });
  assert.deepEqual(doc.filterKeys, { category: "museum" });
  assert.equal(doc.sortKey, 28);
  assert.equal(await query(client, geo.get, { key: "nowhere" }), null);
});

test("a rectangle query returns the points inside it in sort-key order", async () => {
  assert.deepEqual(keys(await inRect()), ["joes", "bluebottle", "katz", "moma", "amnh", "met"]);
});

test("eq, in and sort-key range filters", async () => {
  assert.deepEqual(keys(await inRect({ filter: { eq: "museum" } })), ["moma", "amnh", "met"]);
  assert.deepEqual(keys(await inRect({ filter: { in: ["coffee", "restaurant"] } })), ["joes", "bluebottle", "katz"]);
  assert.deepEqual(keys(await inRect({ filter: { gte: 10, lt: 30 } })), ["katz", "moma", "amnh"]);
  assert.deepEqual(keys(await inRect({ filter: { eq: "museum", lt: 28 } })), ["moma"]);
});

test("a limit pages through the results with nextCursor", async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await inRect({ limit: 2, ...(cursor ? { cursor } : {}) });
    assert.ok(page.results.length <= 2);
    seen.push(...keys(page));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, ["joes", "bluebottle", "katz", "moma", "amnh", "met"]);
});

test("nearest orders by distance, bounded by limit, maxDistance and a filter", async () => {
  const near = await query<Near>(client, geo.nearest, { point: { latitude: 40.7813, longitude: -73.9737 }, limit: 3 });
  assert.deepEqual(
    near.map((n) => n.key),
    ["amnh", "met", "moma"],
  );
  assert.ok(near[0]!.distance < 1 && near[1]!.distance < near[2]!.distance);
  assert.ok(Math.abs(near[1]!.distance - 930) < 100, `the Met is ~0.9 km away: ${near[1]!.distance}`);

  const close = await query<Near>(client, geo.nearest, {
    point: { latitude: 40.7813, longitude: -73.9737 },
    limit: 10,
    maxDistance: 2_500,
  });
  assert.deepEqual(close.map((n) => n.key).sort(), ["amnh", "met", "moma"]);

  const food = await query<Near>(client, geo.nearest, {
    point: { latitude: 40.7813, longitude: -73.9737 },
    limit: 10,
    // As the README pairs them: a filter with a maximum distance bounds the cells searched.
    maxDistance: 10_000,
    filter: { eq: "restaurant" },
  });
  assert.deepEqual(
    food.map((n) => n.key),
    ["joes", "katz"], // ~6.1 km and ~6.7 km
  );
  const far = await query<Near>(client, geo.nearest, {
    point: { latitude: 42.36, longitude: -71.06 },
    limit: 1,
    maxDistance: 10_000,
  });
  assert.equal(far[0]!.key, "common");
});

test("a subscribed rectangle query updates when a point is inserted and removed", async () => {
  const seen: string[][] = [];
  const stop = live.onUpdate(
    geo.inRectangle as FunctionReference<"query">,
    { rectangle: manhattan, filter: { eq: "coffee" } },
    (p: Page) => seen.push(keys(p)),
  );
  try {
    await until(
      async () => seen.at(-1),
      (k) => k !== undefined,
      "first result",
    );
    assert.deepEqual(seen.at(-1), ["bluebottle"]);
    await mutation(client, geo.insert, {
      key: "stumptown",
      point: { latitude: 40.7455, longitude: -73.9882 },
      category: "coffee",
      sortKey: 7,
    });
    await until(
      async () => seen.at(-1),
      (k) => k?.length === 2,
      "the new point pushed",
    );
    assert.deepEqual(seen.at(-1), ["bluebottle", "stumptown"]);
    assert.equal(await mutation(client, geo.remove, { key: "stumptown" }), true);
    await until(
      async () => seen.at(-1),
      (k) => k?.length === 1,
      "the removal pushed",
    );
  } finally {
    stop();
  }
  assert.equal(await mutation(client, geo.remove, { key: "stumptown" }), false, "already gone");
});
