/**
 * Text search over 100k documents (issue 16), beside a same-run ceiling (DESIGN.md §6):
 * - search queries/s over HTTP (`/api/query`, a `withSearchIndex(...).take(10)` query, 16 in
 *   flight) vs a bare `node:http` server answering the same query from SQLite FTS5
 *   (`MATCH … ORDER BY rank LIMIT 10`, bm25, last term as a prefix) over the same corpus;
 * - one search's latency (p50, one request in flight) on both;
 * - the index alone, in-process: `TextIndex.search` vs the FTS5 statement, no HTTP.
 *
 * The corpus is generated from a seed: 100k documents of 8–16 words drawn with a Zipf law from a
 * 20k-word vocabulary. Queries are a word, or a word and a 4-letter prefix. Each server runs in
 * its own child process (this file with `SEARCH_BENCH_ROLE`); pairs are measured in alternating
 * rounds. Knobs: SEARCH_BENCH_DOCS=100000, SEARCH_BENCH_SECONDS=6, SEARCH_BENCH_ROUNDS=4,
 * SEARCH_BENCH_CONCURRENCY=16.
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, symlink, writeFile } from "node:fs/promises";
import { Agent, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./report.js";
import { callFunction } from "./http-call.js";

const DOCS = Number(process.env.SEARCH_BENCH_DOCS ?? 100_000);
const SECONDS = Number(process.env.SEARCH_BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.SEARCH_BENCH_ROUNDS ?? 4);
const CONCURRENCY = Number(process.env.SEARCH_BENCH_CONCURRENCY ?? 16);
const VOCABULARY = 20_000;
const BATCH = 2000;
const ADMIN_KEY = "bench|search-admin-key";
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");

// ---- the corpus (the same in every process: seeded) ------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ne",
  "ru",
  "sa",
  "ti",
  "vo",
  "ze",
  "pa",
  "qu",
  "xi",
  "do",
  "fe",
  "gu",
  "ha",
  "jo",
  "bi",
  "ce",
  "wy",
];

function vocabulary(): string[] {
  const words = new Set<string>();
  const random = rng(7);
  while (words.size < VOCABULARY) {
    const n = 2 + Math.floor(random() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

function corpus(): Array<{ body: string; category: string }> {
  const words = vocabulary();
  // Zipf(1) over ranks: inverse CDF by binary search over cumulative weights.
  const cumulative = new Float64Array(words.length);
  let total = 0;
  for (let i = 0; i < words.length; i++) cumulative[i] = total += 1 / (i + 1);
  const random = rng(11);
  const word = () => {
    const x = random() * total;
    let lo = 0;
    let hi = words.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  return Array.from({ length: DOCS }, (_, i) => {
    const n = 8 + Math.floor(random() * 9);
    return { body: Array.from({ length: n }, word).join(" "), category: `c${i % 10}` };
  });
}

/** Mid-frequency words, and word + 4-letter prefix pairs. */
function queries(): string[] {
  const words = vocabulary();
  const random = rng(13);
  const pick = () => words[50 + Math.floor(random() * 2000)]!;
  return Array.from({ length: 256 }, (_, i) => (i % 2 === 0 ? pick() : `${pick()} ${pick().slice(0, 4)}`));
}

/** The same query for FTS5: any term, the last one as a prefix. */
function ftsQuery(q: string): string {
  const terms = q.split(" ");
  return terms.map((t, i) => (i === terms.length - 1 ? `"${t}"*` : `"${t}"`)).join(" OR ");
}

function openFts(path: string) {
  return import("better-sqlite3").then(({ default: Database }) => {
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec("CREATE VIRTUAL TABLE docs USING fts5(body, category UNINDEXED)");
    const insert = db.prepare("INSERT INTO docs (body, category) VALUES (?, ?)");
    db.transaction(() => {
      for (const d of corpus()) insert.run(d.body, d.category);
    })();
    const search = db.prepare("SELECT rowid AS id, body, category FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10");
    return { db, search: (q: string) => search.all(ftsQuery(q)) };
  });
}

// ---- servers (child processes) ---------------------------------------------------------------

async function tandemRole(): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const dataDir = await mkdtemp(join(tmpdir(), "tandem-bench-search-"));
  const b = await startBackend({ dataDir, port: 0, sitePort: 0, adminKey: ADMIN_KEY, logger: silentLogger });
  process.on("SIGTERM", () => void b.close().finally(() => process.exit(0)));
  process.send!({ url: b.url });
}

async function bareRole(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "tandem-bench-fts-"));
  const { search } = await openFts(join(dir, "fts.sqlite3"));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { path: string; args: [{ q: string }] };
      const out = JSON.stringify({ status: "success", value: search(body.args[0].q) });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) });
      res.end(out);
    });
  });
  server.listen(0, "127.0.0.1", () =>
    process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
}

function startChild(role: "tandem" | "bare"): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, SEARCH_BENCH_ROLE: role },
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve({ url: m.url, child }));
    child.once("exit", (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

// ---- the app pushed to Tandem ----------------------------------------------------------------

const APP = {
  "convex/schema.ts": `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  docs: defineTable({ body: v.string(), category: v.string() }).searchIndex("search_body", { searchField: "body", filterFields: ["category"] }),
});`,
  "convex/docs.ts": `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const addMany = mutation({
  args: { docs: v.array(v.object({ body: v.string(), category: v.string() })) },
  handler: async (ctx, { docs }) => { for (const d of docs) await ctx.db.insert("docs", d); },
});
export const search = query({
  args: { q: v.string() },
  handler: (ctx, { q }) => ctx.db.query("docs").withSearchIndex("search_body", (s) => s.search("body", q)).take(10),
});`,
  "package.json": `{"name":"bench-search-app","private":true,"type":"module","dependencies":{"convex":"1.48.0"}}`,
};

async function pushApp(url: string): Promise<void> {
  const dir = join(await mkdtemp(join(tmpdir(), "tandem-bench-app-")), "app");
  await mkdir(join(dir, "convex"), { recursive: true });
  await mkdir(join(dir, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(dir, "node_modules", "convex"), "dir");
  for (const [p, text] of Object.entries(APP)) await writeFile(join(dir, p), text);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONVEX_SELF_HOSTED_URL: url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: ADMIN_KEY,
    CI: "1",
  };
  delete env.CONVEX_DEPLOYMENT;
  const r = spawnSync(
    process.execPath,
    [join(dir, "node_modules/convex/bin/main.js"), "dev", "--once", "--typecheck", "disable"],
    {
      cwd: dir,
      env,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`push failed:\n${r.stdout}${r.stderr}`);
}

// ---- load generator --------------------------------------------------------------------------

const QUERIES = queries();
const searchBody = (i: number) =>
  JSON.stringify({ path: "docs:search", format: "convex_encoded_json", args: [{ q: QUERIES[i % QUERIES.length]! }] });

/** Requests/s from `concurrency` closed loops over `seconds` (after a warm-up), and each latency. */
async function window(
  url: string,
  seconds: number,
  concurrency: number,
  first: number,
): Promise<{ count: number; seconds: number; latencies: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL("/api/query", url);
  let i = first;
  let measuring = false;
  let stop = false;
  let failed: Error | null = null;
  const latencies: number[] = [];
  const loop = async () => {
    while (!stop && !failed) {
      const t0 = performance.now();
      await callFunction(agent, target, searchBody(i++)).catch((e: Error) => (failed = e));
      if (measuring) latencies.push(performance.now() - t0);
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((r) => setTimeout(r, 300));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  measuring = false;
  const count = latencies.length;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  if (failed) throw failed;
  return { count, seconds: elapsed, latencies: latencies.slice(0, count) };
}

/** Alternating rounds, Tandem then bare, so both see the same machine speed. */
async function pair(tandem: string, bare: string, concurrency: number, seconds: number) {
  const acc = {
    tandem: { count: 0, seconds: 0, lat: [] as number[] },
    bare: { count: 0, seconds: 0, lat: [] as number[] },
  };
  let next = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, url] of [
      ["tandem", tandem],
      ["bare", bare],
    ] as const) {
      const w = await window(url, seconds / ROUNDS, concurrency, next);
      next += 7919;
      acc[name].count += w.count;
      acc[name].seconds += w.seconds;
      acc[name].lat.push(...w.latencies);
    }
  }
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return {
    tandem: { rate: acc.tandem.count / acc.tandem.seconds, p50: p50(acc.tandem.lat) },
    bare: { rate: acc.bare.count / acc.bare.seconds, p50: p50(acc.bare.lat) },
  };
}

/** Calls/s of a synchronous function over `seconds`. */
function rate(fn: (i: number) => unknown, seconds: number, warmUp = 200, step = 20): number {
  for (let i = 0; i < warmUp; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) for (let k = 0; k < step; k++) fn(n++);
  return n / ((performance.now() - t0) / 1000);
}

async function inProcess(): Promise<BenchRow[]> {
  const { TextIndex } = await import("../packages/backend/src/search/text-index.js");
  const { parseTextQuery } = await import("../packages/backend/src/search/tokenize.js");
  const dir = await mkdtemp(join(tmpdir(), "tandem-bench-fts-inproc-"));
  const fts = await openFts(join(dir, "fts.sqlite3"));
  const docs = corpus().map((d, i) => ({ _id: `d${i}`, _creationTime: i, ...d }));
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const index = new TextIndex({ searchField: "body", filterFields: ["category"] });
  for (const d of docs) index.put(d._id, d);
  globalThis.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const parsed = QUERIES.map(parseTextQuery);
  const ours = rate((i) => index.search(parsed[i % parsed.length]!, [], 10), SECONDS / 2);
  const theirs = rate((i) => fts.search(QUERIES[i % QUERIES.length]!), SECONDS / 2);
  fts.db.close();
  return [
    {
      name: `text index alone, in-process, top 10 of ${DOCS / 1000}k docs`,
      value: ours,
      unit: "searches/s",
      ceiling: { name: "FTS5 prepared statement in-process", value: theirs },
      note: `index heap ≈ ${heapMiB.toFixed(0)} MiB${globalThis.gc ? "" : " (without --expose-gc: rough)"}`,
    },
    ...(await vectors()),
  ];
}

const VECTORS = Number(process.env.SEARCH_BENCH_VECTORS ?? 50_000);
const DIMENSIONS = 128;

/**
 * Exact vector search over a table too large to scan cheaply: `VectorIndex.search` (cosine, top 10)
 * vs the thinnest honest scan — one flat Float64Array of pre-normalized vectors, a dot product
 * each, a top-10 insert — in-process.
 */
async function vectors(): Promise<BenchRow[]> {
  const { VectorIndex } = await import("../packages/backend/src/search/vector-index.js");
  const random = rng(17);
  const vec = () => Array.from({ length: DIMENSIONS }, () => random() * 2 - 1);
  const index = new VectorIndex({ vectorField: "v", dimensions: DIMENSIONS, filterFields: [] });
  const flat = new Float64Array(VECTORS * DIMENSIONS);
  for (let i = 0; i < VECTORS; i++) {
    const v = vec();
    index.put(`v${i}`, { _id: `v${i}`, _creationTime: i, v });
    const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    for (let d = 0; d < DIMENSIONS; d++) flat[i * DIMENSIONS + d] = v[d]! / norm;
  }
  const qs = Array.from({ length: 16 }, vec);
  const bare = (q: number[]) => {
    const norm = Math.sqrt(q.reduce((a, x) => a + x * x, 0));
    const best: Array<[number, number]> = [];
    for (let i = 0; i < VECTORS; i++) {
      let dot = 0;
      const o = i * DIMENSIONS;
      for (let d = 0; d < DIMENSIONS; d++) dot += flat[o + d]! * q[d]!;
      dot /= norm;
      if (best.length === 10 && dot <= best[9]![1]) continue;
      best.push([i, dot]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > 10) best.pop();
    }
    return best;
  };
  const ours = rate((i) => index.search(qs[i % qs.length]!, 10, null), SECONDS / 2, 5, 1);
  const theirs = rate((i) => bare(qs[i % qs.length]!), SECONDS / 2, 5, 1);
  return [
    {
      name: `exact vector search, in-process, top 10 of ${VECTORS / 1000}k × ${DIMENSIONS}-dim vectors`,
      value: ours,
      unit: "searches/s",
      ceiling: { name: "bare flat Float64Array scan, same work", value: theirs },
      note: `${((1e6 / ours / VECTORS) * 1000).toFixed(0)} ns per vector scanned`,
    },
  ];
}

export default async function searchBench(): Promise<BenchRow[]> {
  const tandem = await startChild("tandem");
  const bare = await startChild("bare");
  try {
    await pushApp(tandem.url);
    const load0 = performance.now();
    const docs = corpus();
    const agent = new Agent({ keepAlive: true });
    const mutation = new URL("/api/mutation", tandem.url);
    for (let i = 0; i < docs.length; i += BATCH) {
      const body = JSON.stringify({
        path: "docs:addMany",
        format: "convex_encoded_json",
        args: [{ docs: docs.slice(i, i + BATCH) }],
      });
      await callFunction(agent, mutation, body);
    }
    agent.destroy();
    const loadSeconds = (performance.now() - load0) / 1000;
    // Unmeasured: function threads finish indexing the load, JIT warms up on both sides.
    await window(tandem.url, 2, CONCURRENCY, 0);
    await window(bare.url, 1, CONCURRENCY, 0);
    const loaded = await pair(tandem.url, bare.url, CONCURRENCY, SECONDS);
    const single = await pair(tandem.url, bare.url, 1, SECONDS / 2);
    return [
      {
        name: `search queries over HTTP, ${DOCS / 1000}k docs, take(10), ${CONCURRENCY} in flight`,
        value: loaded.tandem.rate,
        unit: "queries/s",
        ceiling: { name: "bare node:http + SQLite FTS5 MATCH … ORDER BY rank LIMIT 10", value: loaded.bare.rate },
        target: "≥ 0.5",
        note: `loaded through ${DOCS / BATCH} mutations in ${loadSeconds.toFixed(1)} s`,
      },
      {
        name: "one search's latency over HTTP, 1 in flight, p50",
        value: single.tandem.p50,
        unit: "ms",
        lowerIsBetter: true,
        ceiling: { name: "the bare FTS5 server", value: single.bare.p50 },
      },
      ...(await inProcess()),
    ];
  } finally {
    tandem.child.kill();
    bare.child.kill();
  }
}

const role = process.env.SEARCH_BENCH_ROLE;
if (role === "tandem") await tandemRole();
else if (role === "bare") await bareRole();
