/**
 * HTTP API benchmarks (issue 2), each beside a same-run ceiling (docs/architecture.md#measuring-speed):
 * - small insert mutations/s from 50 concurrent keep-alive HTTP clients via `/api/mutation` with
 *   the official client's body, vs a bare `node:http` + better-sqlite3 server (WAL,
 *   synchronous=NORMAL, one transaction per insert) parsing the same JSON;
 * - indexed point query/s (`withIndex(eq).unique()`) vs the bare server reading one row by
 *   primary key;
 * - 100-document indexed range query/s vs the bare server reading 100 rows by primary-key range.
 *
 * Each server runs in its own child process (this file with `HTTP_BENCH_ROLE`), so the load
 * generator (this process: `node:http` keep-alive agent, 50 requests in flight) does not share
 * an event loop with it. Each pair of figures is measured in alternating rounds. Knobs:
 * HTTP_BENCH_SECONDS=8 (per server and row), HTTP_BENCH_ROUNDS=8, HTTP_BENCH_CONCURRENCY=50,
 * HTTP_BENCH_ONLY=insert,point,range,point-cached,range-cached (the rows to run; both stores are seeded with ROWS items first), HTTP_BENCH_SERVER_FLAGS="--cpu-prof" (node flags for
 * the Tandem server's process, e.g. to profile it).
 *
 * The query cache: the point and range rows measure the query work itself, so their Tandem server
 * runs with the cache off (`BENCH_QUERY_CACHE=off`: the same requests, reads and replies as before
 * the cache; `HTTP_BENCH_UNCACHED=1` instead keeps one result, so every query misses and pays the
 * cache's own cost). The `…(repeated args, query cache)` rows send the same requests to a second Tandem
 * server with the cache on (its default), after one pass over every argument, so they measure
 * answers from kept results; the ceiling is the same bare server (it keeps nothing).
 */
import { createServer, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { roundRatio, type BenchRow } from "./report.js";
import { callFunction } from "./http-call.js";
import {
  addThreadDelta,
  answerCpuReadings,
  cpuReading,
  pushApp,
  queryCacheReading,
  startChild as forkChild,
  tandemRole,
  type Server,
} from "./backend-process.js";

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 8);
const CONCURRENCY = Number(process.env.HTTP_BENCH_CONCURRENCY ?? 50);
const ROWS = 5000;
const ONLY = process.env.HTTP_BENCH_ONLY;
const SERVER_FLAGS = (process.env.HTTP_BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean);

// ---- servers (child processes) ---------------------------------------------------------------

async function bareRole(): Promise<void> {
  const { default: Database } = await import("better-sqlite3");
  const dir = await mkdtemp(join(tmpdir(), "tandem-bench-bare-"));
  const db = new Database(join(dir, "bare.sqlite3"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n REAL NOT NULL, text TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO items (n, text) VALUES (?, ?)");
  const insertTx = db.transaction((n: number, text: string) => insert.run(n, text).lastInsertRowid);
  const seedTx = db.transaction((from: number, count: number) => {
    for (let n = from; n < from + count; n++) insert.run(n, `item ${n}`);
  });
  const byId = db.prepare("SELECT id, n, text FROM items WHERE id = ?");
  const range = db.prepare("SELECT id, n, text FROM items WHERE id >= ? ORDER BY id LIMIT 100");
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        path: string;
        args: [Record<string, number | string>];
      };
      const args = body.args[0];
      let value: unknown;
      if (body.path === "items:seed") {
        seedTx(args.from as number, args.count as number);
        value = null;
      } else if (req.url === "/api/mutation") value = String(insertTx(args.n as number, args.text as string));
      else if (body.path === "items:byN") value = byId.get(args.n) ?? null;
      else value = range.all(args.from);
      const out = JSON.stringify({ status: "success", value });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) });
      res.end(out);
    });
  });
  answerCpuReadings();
  server.listen(0, "127.0.0.1", () =>
    process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
}

function startChild(role: "tandem" | "bare", env: Record<string, string> = {}): Promise<Server> {
  return forkChild(fileURLToPath(import.meta.url), "HTTP_BENCH_ROLE", role, role === "tandem" ? SERVER_FLAGS : [], env);
}

// ---- load generator --------------------------------------------------------------------------

interface Measured {
  /** Requests/s. */
  readonly rate: number;
  /** The server process's CPU time per request, µs (all its threads). */
  readonly cpuPerRequest: number;
  /** CPU time per request by thread (main, function threads, libuv pool, V8 helpers), µs. */
  readonly threads: Record<string, number>;
  /** Requests/s of each round. */
  readonly rounds: number[];
}

/**
 * Both servers under the same load, in alternating rounds (Tandem, bare, Tandem, bare, …): these
 * shared machines change speed from one second to the next, and alternating keeps both figures
 * of a ratio under the same conditions.
 */
async function measurePair(
  tandem: Server,
  bare: Server,
  path: string,
  tandemBody: (i: number) => string,
  bareBody: (i: number) => string = tandemBody,
): Promise<{ tandem: Measured; bare: Measured; roundRatios: number[] }> {
  const sum = () => ({
    count: 0,
    seconds: 0,
    cpu: 0,
    next: 0,
    threads: {} as Record<string, number>,
    rounds: [] as number[],
  });
  const totals = { tandem: sum(), bare: sum() };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, server, body] of [
      ["tandem", tandem, tandemBody],
      ["bare", bare, bareBody],
    ] as const) {
      const t = totals[name];
      const w = await measureWindow(server, path, body, SECONDS / ROUNDS, t.next);
      t.count += w.count;
      t.seconds += w.seconds;
      t.cpu += w.cpu;
      t.next = w.next;
      t.rounds.push(w.count / w.seconds);
      for (const [k, v] of Object.entries(w.threads)) t.threads[k] = (t.threads[k] ?? 0) + v;
    }
  }
  const result = (t: ReturnType<typeof sum>): Measured => ({
    rate: t.count / t.seconds,
    cpuPerRequest: t.cpu / t.count,
    threads: Object.fromEntries(Object.entries(t.threads).map(([k, v]) => [k, v / t.count])),
    rounds: t.rounds,
  });
  return {
    tandem: result(totals.tandem),
    bare: result(totals.bare),
    roundRatios: totals.tandem.rounds.map((x, i) => roundRatio(x, totals.bare.rounds[i]!)),
  };
}

/** `main 80, WorkerThread 60, libuv-worker 3`: µs per request by thread kind, largest first. */
function threadNote(m: Measured): string {
  return Object.entries(m.threads)
    .filter(([, v]) => v >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(", ");
}

/**
 * Requests counted over `seconds` (after a short warm-up) from `CONCURRENCY` loops, each waiting
 * for its answer before its next request; bodies are numbered on from `first`.
 */
async function measureWindow(
  server: Server,
  path: string,
  makeBody: (i: number) => string,
  seconds: number,
  first: number,
): Promise<{ count: number; seconds: number; cpu: number; threads: Record<string, number>; next: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(path, server.url);
  let i = first;
  let done = 0;
  let failed: Error | null = null;
  let measuring = false;
  let stop = false;
  const loop = async () => {
    while (!stop && !failed) {
      await callFunction(agent, url, makeBody(i++)).catch((e: Error) => (failed = e));
      if (measuring) done++;
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, loop);
  await new Promise((r) => setTimeout(r, 400)); // warm-up: connections, JIT
  const cpu0 = await cpuReading(server.child);
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const counted = done;
  const cpu1 = await cpuReading(server.child);
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  if (failed) throw failed;
  const threads: Record<string, number> = {};
  addThreadDelta(threads, cpu0.threads, cpu1.threads);
  return { count: counted, seconds: elapsed, cpu: cpu1.total - cpu0.total, threads, next: i };
}

/** Inserts number their items past the seeded ones, so the queries always find all of theirs. */
const mutationBody = (i: number) =>
  JSON.stringify({
    path: "items:insert",
    format: "convex_encoded_json",
    args: [{ n: ROWS + i, text: `item ${ROWS + i}` }],
  });

/** Both stores get items n = 0 … ROWS − 1 first (the bare store's primary keys 1 … ROWS). */
async function seed(server: Server): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let from = 0; from < ROWS; from += 500)
    await callFunction(
      agent,
      new URL("/api/mutation", server.url),
      JSON.stringify({ path: "items:seed", format: "convex_encoded_json", args: [{ from, count: 500 }] }),
    );
  agent.destroy();
}

const only = (row: "insert" | "point" | "range" | "point-cached" | "range-cached") =>
  !ONLY || ONLY.split(",").includes(row);

/** Sends `bodies(0 … count − 1)` once, CONCURRENCY at a time (fills the query cache). */
async function sendAll(server: Server, path: string, count: number, body: (i: number) => string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(path, server.url);
  let next = 0;
  const loop = async () => {
    while (next < count) await callFunction(agent, url, body(next++));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  agent.destroy();
}

/** `hits 99.8%` (and evictions) of the queries the server answered while `measure` ran. */
async function hitNote(server: Server, measure: () => Promise<void>): Promise<string> {
  const a = await queryCacheReading(server.child);
  await measure();
  const b = await queryCacheReading(server.child);
  const hits = b.hits - a.hits;
  const all = hits + b.misses - a.misses;
  return `query cache hits ${((100 * hits) / Math.max(1, all)).toFixed(1)}% of ${all}, ${b.evictions - a.evictions} evicted`;
}

function cpuRow(what: string, m: { tandem: Measured; bare: Measured }): BenchRow {
  return {
    name: `server CPU time per ${what} (all threads)`,
    value: m.tandem.cpuPerRequest,
    unit: "µs",
    lowerIsBetter: true,
    ceiling: { name: "the bare server", value: m.bare.cpuPerRequest },
    note: `by thread: ${threadNote(m.tandem)}`,
  };
}

const pointBody = (i: number) =>
  JSON.stringify({ path: "items:byN", format: "convex_encoded_json", args: [{ n: i % ROWS }] });
const barePointBody = (i: number) =>
  JSON.stringify({ path: "items:byN", format: "convex_encoded_json", args: [{ n: 1 + (i % ROWS) }] });
const RANGE_STARTS = ROWS - 100;
const rangeBody = (i: number) =>
  JSON.stringify({ path: "items:range", format: "convex_encoded_json", args: [{ from: i % RANGE_STARTS }] });

export default async function httpBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bare = await startChild("bare");
  try {
    await seed(bare);
    if (only("insert") || only("point") || only("range")) rows.push(...(await uncachedRows(bare)));
    if (only("point-cached") || only("range-cached")) rows.push(...(await cachedRows(bare)));
    return rows;
  } finally {
    bare.child.kill();
  }
}

/** Inserts, and the point and range queries with every query run (the cache off). */
async function uncachedRows(bare: Server): Promise<BenchRow[]> {
  const tandem = await startChild("tandem", { BENCH_QUERY_CACHE: process.env.HTTP_BENCH_UNCACHED ?? "off" });
  try {
    await pushApp(tandem.url);
    await seed(tandem);
    const rows: BenchRow[] = [];
    if (only("insert")) {
      const inserts = await measurePair(tandem, bare, "/api/mutation", mutationBody);
      const { tandem: tandemInserts, bare: bareInserts } = inserts;
      rows.push({
        name: `small insert mutations over HTTP (${CONCURRENCY} in flight, official client's body)`,
        value: tandemInserts.rate,
        unit: "mutations/s",
        ceiling: {
          name: "bare node:http + better-sqlite3, WAL + synchronous=NORMAL, 1 tx per insert",
          value: bareInserts.rate,
        },
        targetKey: "http-insert",
        roundRatios: inserts.roundRatios,
      });
      rows.push({
        name: "server CPU time per insert mutation (all threads of the server process)",
        value: tandemInserts.cpuPerRequest,
        unit: "µs",
        lowerIsBetter: true,
        ceiling: { name: "the bare server", value: bareInserts.cpuPerRequest },
        note: `by thread: ${threadNote(tandemInserts)}`,
      });
    }
    if (only("point")) {
      const points = await measurePair(tandem, bare, "/api/query", pointBody, barePointBody);
      rows.push({
        name: "indexed point query over HTTP (withIndex eq → unique; query cache off)",
        value: points.tandem.rate,
        unit: "queries/s",
        ceiling: { name: "bare server reading 1 row by primary key", value: points.bare.rate },
        targetKey: "http-point-query",
        roundRatios: points.roundRatios,
      });
      rows.push(cpuRow("point query", points));
    }
    if (only("range")) {
      const ranges = await measurePair(tandem, bare, "/api/query", rangeBody);
      rows.push({
        name: "100-document indexed range query over HTTP (withIndex gte → take 100; query cache off)",
        value: ranges.tandem.rate,
        unit: "queries/s",
        ceiling: { name: "bare server reading 100 rows by primary-key range", value: ranges.bare.rate },
        targetKey: "http-range-query",
        roundRatios: ranges.roundRatios,
      });
      rows.push(cpuRow("100-document range query", ranges));
    }
    return rows;
  } finally {
    tandem.child.kill();
  }
}

/**
 * The same point and range requests (5,000 and 4,900 distinct arguments, cycled) to a server with
 * the query cache on, after one pass over all of them: nothing writes, so every answer is a kept
 * result (the note gives the measured hit rate).
 */
async function cachedRows(bare: Server): Promise<BenchRow[]> {
  const tandem = await startChild("tandem");
  try {
    await pushApp(tandem.url);
    await seed(tandem);
    const rows: BenchRow[] = [];
    if (only("point-cached")) {
      await sendAll(tandem, "/api/query", ROWS, pointBody);
      let points!: Awaited<ReturnType<typeof measurePair>>;
      const hits = await hitNote(tandem, async () => {
        points = await measurePair(tandem, bare, "/api/query", pointBody, barePointBody);
      });
      rows.push({
        name: "indexed point query over HTTP (repeated args, query cache)",
        value: points.tandem.rate,
        unit: "queries/s",
        ceiling: { name: "bare server reading 1 row by primary key", value: points.bare.rate },
        roundRatios: points.roundRatios,
        note: hits,
      });
      rows.push(cpuRow("point query answered from the query cache", points));
    }
    if (only("range-cached")) {
      await sendAll(tandem, "/api/query", RANGE_STARTS, rangeBody);
      let ranges!: Awaited<ReturnType<typeof measurePair>>;
      const hits = await hitNote(tandem, async () => {
        ranges = await measurePair(tandem, bare, "/api/query", rangeBody);
      });
      rows.push({
        name: "100-document indexed range query over HTTP (repeated args, query cache)",
        value: ranges.tandem.rate,
        unit: "queries/s",
        ceiling: { name: "bare server reading 100 rows by primary-key range", value: ranges.bare.rate },
        roundRatios: ranges.roundRatios,
        note: hits,
      });
      rows.push(cpuRow("100-document range query answered from the query cache", ranges));
    }
    return rows;
  } finally {
    tandem.child.kill();
  }
}

const role = process.env.HTTP_BENCH_ROLE;
if (role === "tandem") await tandemRole();
else if (role === "bare") await bareRole();
