/**
 * The query cache through a started backend and the official clients: a repeated query is answered
 * without running (no execution, no log lines) until a commit writes into what it read, a push or
 * an env change; other args, another identity, writes elsewhere and failures behave as they must;
 * HTTP queries and a subscription's runs share results.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import WebSocket from "ws";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger, unauthenticated } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { eventually } from "../sync/harness.js";

const api = anyApi;
let backend: Backend;
let app: string;
let http: ConvexHttpClient;
/** Query runs (not reused results) by function, since the last reset. */
let runs = new Map<string, number>();
let reused = new Map<string, number>();
const ran = (fn: string) => runs.get(fn) ?? 0;

before(async () => {
  backend = await startBackend({
    dataDir: await tempDir("query-cache"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    // 1 MiB: `counters:big` (~200 KB) is over the eighth one result may take, the rest is small.
    queryCache: { maxBytes: 1024 * 1024 },
    authenticateUser: async (token) => {
      if (token !== "alice" && token !== "bob") throw unauthenticated("InvalidAuthHeader", "bad token");
      return {
        attributes: { tokenIdentifier: `https://issuer|${token}`, issuer: "https://issuer", subject: token },
        expiresAt: null,
      };
    },
  });
  app = await copyFixture("querycache");
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  backend.engine.onExecution((e) => {
    if (e.kind !== "query") return;
    const into = e.cached ? reused : runs;
    into.set(e.identifier, (into.get(e.identifier) ?? 0) + 1);
    if (e.cached) assert.deepEqual(e.logLines, [], "a reused result reports no log lines");
  });
  http = new ConvexHttpClient(backend.url, { logger: false });
  await http.mutation(api.counters!.set!, { name: "a", value: 1 });
  await http.mutation(api.counters!.set!, { name: "b", value: 2 });
});

beforeEach(() => {
  runs = new Map();
  reused = new Map();
});

after(async () => {
  await backend?.close();
});

/** `POST /api/query` as text, for byte-level comparisons and the log lines. */
async function queryText(path: string, args: unknown, token?: string): Promise<string> {
  const res = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ path, args, format: "json" }),
  });
  assert.equal(res.status, 200);
  return res.text();
}

test("a repeated query is answered from the cache: no run, no log lines, the same bytes", async () => {
  await http.mutation(api.counters!.set!, { name: "rep", value: 7 });
  type Reply = { value: unknown; logLines?: string[] };
  const first = JSON.parse(await queryText("counters:get", { name: "rep" })) as Reply;
  assert.equal(first.value, 7);
  assert.deepEqual(first.logLines, ["[LOG] 'ran get rep'"], "the run logs");
  const hitsBefore = backend.engine.queryCacheStats().hits;
  const second = JSON.parse(await queryText("counters:get", { name: "rep" })) as Reply;
  assert.equal(second.value, 7);
  assert.equal(second.logLines, undefined, "no log lines on a reused result");
  assert.equal(ran("counters:get"), 1);
  assert.equal(reused.get("counters:get"), 1);
  assert.equal(backend.engine.queryCacheStats().hits, hitsBefore + 1);
  assert.equal(await http.query(api.counters!.get!, { name: "rep" }), 7, "the official client gets it too");
  assert.equal(ran("counters:get"), 1);

  // A query that logs nothing: its reply is the same text whether it ran or not.
  const listRun = await queryText("counters:list", {});
  const listHit = await queryText("counters:list", {});
  assert.equal(ran("counters:list"), 1);
  assert.equal(listHit, listRun, "byte-identical");
});

test("a commit into the read set ends the result; writes elsewhere do not", async () => {
  await http.mutation(api.counters!.set!, { name: "inv", value: 1 });
  assert.equal(await http.query(api.counters!.get!, { name: "inv" }), 1);
  assert.equal(ran("counters:get"), 1);

  // Another table, and another key range of the same index (an existing and a new document).
  await http.mutation(api.counters!.addOther!, { n: 1 });
  await http.mutation(api.counters!.set!, { name: "b", value: 3 });
  await http.mutation(api.counters!.set!, { name: "inv-neighbour", value: 1 });
  assert.equal(await http.query(api.counters!.get!, { name: "inv" }), 1);
  assert.equal(ran("counters:get"), 1, "writes outside the read set keep the result");

  await http.mutation(api.counters!.set!, { name: "inv", value: 2 });
  assert.equal(await http.query(api.counters!.get!, { name: "inv" }), 2, "the new value");
  assert.equal(ran("counters:get"), 2);
  assert.equal(await http.query(api.counters!.get!, { name: "inv" }), 2);
  assert.equal(ran("counters:get"), 2, "the re-run's result is kept in turn");

  // A read of nothing (a name not there yet) ends when that name appears.
  assert.equal(await http.query(api.counters!.get!, { name: "inv-later" }), null);
  await http.mutation(api.counters!.set!, { name: "inv-later", value: 5 });
  assert.equal(await http.query(api.counters!.get!, { name: "inv-later" }), 5);
});

test("other arguments or another identity are other results", async () => {
  await http.query(api.counters!.get!, { name: "a" });
  await http.query(api.counters!.get!, { name: "b" });
  assert.equal(ran("counters:get"), 2);

  const anon = new ConvexHttpClient(backend.url, { logger: false });
  const alice = new ConvexHttpClient(backend.url, { logger: false });
  alice.setAuth("alice");
  const bob = new ConvexHttpClient(backend.url, { logger: false });
  bob.setAuth("bob");
  assert.equal(await anon.query(api.counters!.whoami!, {}), null);
  assert.equal(await alice.query(api.counters!.whoami!, {}), "alice");
  assert.equal(await bob.query(api.counters!.whoami!, {}), "bob");
  assert.equal(ran("counters:whoami"), 3);
  // Each identity's result is kept for that identity only.
  assert.equal(await alice.query(api.counters!.whoami!, {}), "alice");
  assert.equal(await bob.query(api.counters!.whoami!, {}), "bob");
  assert.equal(await anon.query(api.counters!.whoami!, {}), null);
  assert.equal(ran("counters:whoami"), 3);
});

test("failures are not kept; a result too large to keep is still answered", async () => {
  for (let i = 0; i < 2; i++) await assert.rejects(http.query(api.counters!.fails!, {}), /always/);
  assert.equal(ran("counters:fails"), 2);
  const big = (await http.query(api.counters!.big!, {})) as string[];
  assert.equal(big.length, 2000);
  assert.deepEqual(await http.query(api.counters!.big!, {}), big);
  assert.equal(ran("counters:big"), 2, "over the cache's per-result share: run each time");
});

test("an env change and a push end every result", async () => {
  await backend.setEnvironmentVariables({ MARK: "one" });
  assert.equal(await http.query(api.counters!.env!, {}), "one");
  assert.equal(await http.query(api.version!.get!, {}), "v1");
  await http.query(api.counters!.get!, { name: "a" });
  assert.equal(await http.query(api.counters!.env!, {}), "one");
  assert.equal(ran("counters:env"), 1);

  assert.equal(await http.query(api.version!.get!, {}), "v1");
  assert.equal(ran("version:get"), 1);

  await backend.setEnvironmentVariables({ MARK: "two" });
  assert.equal(await http.query(api.counters!.env!, {}), "two");
  assert.equal(ran("counters:env"), 2);
  assert.equal(await http.query(api.version!.get!, {}), "v1");
  assert.equal(ran("version:get"), 2, "every result goes with the variables");
  await writeFile(
    join(app, "convex", "version.ts"),
    `import { query } from "./_generated/server";\nexport const get = query({ args: {}, handler: async () => "v2" });\n`,
  );
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  assert.equal(await http.query(api.version!.get!, {}), "v2", "the new code's result");
  const before = ran("counters:get");
  await http.query(api.counters!.get!, { name: "a" });
  assert.equal(ran("counters:get"), before + 1, "results of unchanged functions are dropped too");
});

test("a subscription and HTTP queries share results", async () => {
  await http.mutation(api.counters!.set!, { name: "shared", value: 10 });
  assert.equal(await http.query(api.counters!.get!, { name: "shared" }), 10);
  assert.equal(ran("counters:get"), 1);

  const client = new ConvexClient(backend.url, {
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    const seen: unknown[] = [];
    client.onUpdate(api.counters!.get!, { name: "shared" }, (v) => seen.push(v));
    await eventually(() => seen.length > 0, 10_000, "the first value");
    assert.deepEqual(seen, [10]);
    assert.equal(ran("counters:get"), 1, "the subscription's first value came from the HTTP query's result");

    await http.mutation(api.counters!.set!, { name: "shared", value: 11 });
    await eventually(() => seen.at(-1) === 11, 10_000, "the update");
    assert.equal(ran("counters:get"), 2, "the subscription re-ran once");
    assert.equal(await http.query(api.counters!.get!, { name: "shared" }), 11);
    assert.equal(ran("counters:get"), 2, "the HTTP query reused the subscription's re-run");
  } finally {
    await client.close();
  }
});

test("the cache's lookups are in /metrics, and reused results are not counted as executions", async () => {
  const scrape = async () => {
    const res = await fetch(`${backend.url}/metrics`, { headers: { Authorization: `Bearer ${backend.adminKey}` } });
    const text = await res.text();
    const value = (line: RegExp) => Number(line.exec(text)?.[1] ?? NaN);
    return {
      hits: value(/^tandem_query_cache_lookups_total\{outcome="hit"\} (\d+)$/m),
      misses: value(/^tandem_query_cache_lookups_total\{outcome="miss"\} (\d+)$/m),
      entries: value(/^tandem_query_cache_entries (\d+)$/m),
      executions: value(/^tandem_function_executions_total\{kind="query",outcome="success"\} (\d+)$/m),
    };
  };
  await http.mutation(api.counters!.set!, { name: "metrics", value: 1 });
  const before = await scrape();
  await http.query(api.counters!.get!, { name: "metrics" });
  await http.query(api.counters!.get!, { name: "metrics" });
  const after = await scrape();
  assert.equal(after.misses - before.misses, 1);
  assert.equal(after.hits - before.hits, 1);
  assert.equal(after.executions - before.executions, 1, "the reused result is no execution");
  assert.equal(after.hits, backend.engine.queryCacheStats().hits);
  assert.equal(after.entries, backend.engine.queryCacheStats().entries);
});
