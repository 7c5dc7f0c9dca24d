/**
 * Several Tandem nodes on one Postgres (issue 20, docs/scale-out.md), each node in its own child
 * process on a database this bench creates and drops:
 * - insert mutations/s through 1 node and through 3 nodes (the official client's requests from a
 *   keep-alive agent, the load spread over the nodes) vs raw single-row `INSERT` transactions through `pg` with the same
 *   concurrency, in the same run (goal ≥ 0.5 for one node);
 * - indexed point queries/s through 3 nodes vs through 1 (goal ≥ 1.5×);
 * - cross-node propagation: a mutation returns on node A → the official ConvexClient subscribed on
 *   node B gets the update, p50/p99 (goal p99 < 50 ms).
 * Tandem and its ceiling alternate in rounds. Knobs: PG_BENCH_SECONDS=4 (per side and round),
 * PG_BENCH_ROUNDS=3, PG_BENCH_CONCURRENCY=16, PG_BENCH_PROPAGATION=200 (mutations),
 * PG_BENCH_FUNCTION_THREADS (per node; default one per core),
 * TANDEM_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres: the server the
 * bench database is created on).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "node:http";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import WebSocket from "ws";
import { roundRatio, type BenchRow } from "./report.js";
import { ADMIN_KEY, pushApp, startChild, type Server } from "./backend-process.js";
import { callFunction, functionBody } from "./http-call.js";

const SECONDS = Number(process.env.PG_BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.PG_BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.PG_BENCH_CONCURRENCY ?? 16);
const PROPAGATION = Number(process.env.PG_BENCH_PROPAGATION ?? 200);
/** Function threads per node (unset: the backend's default, one per core). */
const THREADS = process.env.PG_BENCH_FUNCTION_THREADS;
const ADMIN_URL = process.env.TANDEM_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROLE = "PG_BENCH_ROLE";
const api = anyApi;

/** In the child: one Tandem node on the bench database. */
async function nodeRole(): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const b = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-bench-pg-")),
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
    database: { kind: "postgres", url: process.env.PG_BENCH_DB!, schema: "tandem" },
    ...(THREADS === undefined ? {} : { workers: Number(THREADS) }),
  });
  process.on("SIGTERM", () => void b.close().finally(() => process.exit(0)));
  process.send!({ url: b.url });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs `op` from `CONCURRENCY` loops for SECONDS; operations per second. */
let failed = 0;

async function drive(op: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      while (performance.now() < end) {
        // A failed operation (a function timeout on an overloaded machine) is counted apart.
        await op(i).then(
          () => done++,
          (e: unknown) => {
            failed++;
            if (process.env.PG_BENCH_DEBUG) console.error(String(e).slice(0, 300));
          },
        );
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function run(): Promise<BenchRow[]> {
  const name = `tandem_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = withDatabase(ADMIN_URL, name);
  const servers: Server[] = [];
  const raw = new pg.Pool({ connectionString: dbUrl, max: CONCURRENCY });
  try {
    process.env.PG_BENCH_DB = dbUrl;
    const file = fileURLToPath(import.meta.url);
    servers.push(await startChild(file, ROLE, "node"));
    await pushApp(servers[0]!.url);
    servers.push(...(await Promise.all([startChild(file, ROLE, "node"), startChild(file, ROLE, "node")])));
    const clients = servers.map((s) => new ConvexHttpClient(s.url, { skipConvexDeploymentUrlCheck: true }));
    await raw.query(
      "CREATE TABLE raw_items (id bigserial PRIMARY KEY, n double precision NOT NULL, text text NOT NULL)",
    );

    // Raw: one single-row insert transaction per operation, as a mutation is one transaction.
    const rawInsert = async (i: number) => {
      const c = await raw.connect();
      try {
        await c.query("BEGIN");
        await c.query("INSERT INTO raw_items (n, text) VALUES ($1, $2)", [i, `item ${i}`]);
        await c.query("COMMIT");
      } finally {
        c.release();
      }
    };
    let n = 1_000_000;
    // The official client's requests from a keep-alive agent (http-call.ts): `ConvexHttpClient`
    // costs the load generator several times what a raw `pg` transaction does, on the same 2 cores.
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const urls = (path: string) => servers.map((s) => new URL(path, s.url));
    const mutationUrls = urls("/api/mutation");
    const queryUrls = urls("/api/query");
    const insertVia = (nodes: number) => (i: number) =>
      callFunction(agent, mutationUrls[i % nodes]!, functionBody("items:insert", { n: n++, text: `item ${n}` }));
    const one: number[] = [];
    const three: number[] = [];
    const ceiling: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ceiling.push(await drive(rawInsert));
      one.push(await drive(insertVia(1)));
      three.push(await drive(insertVia(3)));
    }

    // Reads: a point query on seeded items, through 1 node, then spread over 3.
    for (let from = 0; from < 1000; from += 100) await clients[0]!.mutation(api.items!.seed!, { from, count: 100 });
    const readVia = (nodes: number) => (i: number) =>
      callFunction(agent, queryUrls[i % nodes]!, functionBody("items:byN", { n: Math.floor(Math.random() * 1000) }));
    const reads1: number[] = [];
    const reads3: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      reads1.push(await drive(readVia(1)));
      reads3.push(await drive(readVia(3)));
    }

    // Propagation: mutation returned on node 1 → node 2's subscriber has it.
    const live = new ConvexClient(servers[1]!.url, {
      skipConvexDeploymentUrlCheck: true,
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      logger: false,
    });
    const lags: number[] = [];
    try {
      let want = -1;
      let arrived: ((t: number) => void) | null = null;
      const first = new Promise<void>((resolve) =>
        live.onUpdate(api.items!.byN!, { n: -1 }, (doc: { text: string } | null) => {
          resolve();
          if (doc && arrived && doc.text === `v${want}`) arrived(performance.now());
        }),
      );
      await first;
      for (let i = 0; i < PROPAGATION; i++) {
        want = i;
        const seen = new Promise<number>((resolve) => (arrived = resolve));
        if (i === 0) await clients[0]!.mutation(api.items!.insert!, { n: -1, text: "v0" });
        else await clients[0]!.mutation(api.items!.setText!, { n: -1, text: `v${i}` });
        const returned = performance.now();
        lags.push(Math.max(0, (await seen) - returned));
      }
    } finally {
      await live.close();
    }
    lags.sort((a, b) => a - b);

    const note = `${CONCURRENCY} in flight, ${ROUNDS} rounds of ${SECONDS} s; load average ${(await loadAverage()).join(" ")}; ${failed} operations failed (not counted)`;
    return [
      {
        name: "Postgres, 1 node: insert mutations",
        value: median(one),
        unit: "ops/s",
        ceiling: { name: "raw pg single-row insert transactions", value: median(ceiling) },
        roundRatios: one.map((v, i) => roundRatio(v, ceiling[i]!)),
        target: "≥ 0.5",
        note,
      },
      {
        name: "Postgres, 3 nodes: insert mutations",
        value: median(three),
        unit: "ops/s",
        ceiling: { name: "raw pg single-row insert transactions", value: median(ceiling) },
        roundRatios: three.map((v, i) => roundRatio(v, ceiling[i]!)),
        note,
      },
      {
        name: "Postgres, 3 nodes: point queries",
        value: median(reads3),
        unit: "ops/s",
        ceiling: { name: "the same through 1 node", value: median(reads1) },
        roundRatios: reads3.map((v, i) => roundRatio(v, reads1[i]!)),
        target: "≥ 1.5",
        note,
      },
      {
        name: `cross-node propagation p50 (${PROPAGATION} mutations)`,
        value: pct(lags, 50),
        unit: "ms",
        lowerIsBetter: true,
      },
      {
        name: `cross-node propagation p99 (${PROPAGATION} mutations)`,
        value: pct(lags, 99),
        unit: "ms",
        lowerIsBetter: true,
        target: "< 50 ms",
      },
    ];
  } finally {
    await raw.end();
    for (const s of servers) {
      const gone = new Promise((resolve) => s.child.once("exit", resolve));
      s.child.kill("SIGTERM");
      await gone;
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function loadAverage(): Promise<string[]> {
  const { loadavg } = await import("node:os");
  return loadavg().map((l) => l.toFixed(1));
}

if (process.env[ROLE] === "node") await nodeRole();

export default run;
