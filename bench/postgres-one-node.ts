/**
 * Where a Postgres node's insert mutations spend their time (not part of `npm run bench`):
 * `node --import tsx bench/postgres-one-node.ts`. One node in a child process on a database this
 * tool creates and drops; insert mutations from 16 keep-alive requests in flight for rounds of a
 * few seconds, and per round: mutations/s, the node's CPU per mutation by thread (/proc), the CPU
 * of the Postgres backends serving the bench database, and the node's group commits (mutations
 * per group, how many groups were being written at once, the share of the round one was); then
 * durable one-row updates from 1–3 connections at once (`headUpdatesByDepth`). Each round ends with
 * raw single-row insert transactions through `pg` (16 in flight, the same seconds): the ceiling.
 * Knobs: PG_ONE_SECONDS=4, PG_ONE_ROUNDS=3, PG_ONE_CONCURRENCY=16, TANDEM_BENCH_POSTGRES_URL;
 * PG_ONE_AB=VAR runs two nodes, VAR=0 and VAR=1 in their environment, rounds alternating.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "node:http";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Storage } from "@tandem/storage";
import {
  ADMIN_KEY,
  addThreadDelta,
  answerCpuReadings,
  cpuReading,
  pushApp,
  startChild,
  type Server,
} from "./backend-process.js";
import { callFunction, functionBody } from "./http-call.js";

const SECONDS = Number(process.env.PG_ONE_SECONDS ?? 4);
const ROUNDS = Number(process.env.PG_ONE_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.PG_ONE_CONCURRENCY ?? 16);
const ADMIN_URL = process.env.TANDEM_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROLE = "PG_ONE_ROLE";

interface GroupStats {
  groups: number;
  requests: number;
  /** Sum over groups of the groups being written when each started (itself included). */
  concurrentAtStart: number;
  /** ms during which at least one group was being written. */
  busyMs: number;
  /** `sync()` calls (one per mutation, before it runs) and the ms they took, summed. */
  syncs: number;
  syncMs: number;
  /** The one-statement group writes: how many, and the ms from sending to the reply, summed. */
  statements: number;
  statementMs: number;
  /** Mutations run by the node: ms in `MutationExecutor.run`, in `FunctionRunner.run` (the function
   * thread, its queue and the commit), and in `Committer.commit` (its group's wait and write). */
  mutations: number;
  executorMs: number;
  runnerMs: number;
  commitMs: number;
}

/** In the child: one node; counts its storage's group commits (`commitMany`). */
async function nodeRole(): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const { MvccStorage } = await import("@tandem/storage");
  const stats: GroupStats = {
    groups: 0,
    requests: 0,
    concurrentAtStart: 0,
    busyMs: 0,
    syncs: 0,
    syncMs: 0,
    statements: 0,
    statementMs: 0,
    mutations: 0,
    executorMs: 0,
    runnerMs: 0,
    commitMs: 0,
  };
  const timed = <K extends "executorMs" | "runnerMs" | "commitMs">(proto: object, method: string, key: K) => {
    const o = proto as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const f = o[method]!;
    o[method] = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      return f.apply(this, args).finally(() => (stats[key] += performance.now() - t));
    };
  };
  const engineDir = new URL("../packages/backend/dist/engine/", import.meta.url);
  const { MutationExecutor } = await import(new URL("mutation-executor.js", engineDir).href);
  const { FunctionRunner } = await import(new URL("function-runner.js", engineDir).href);
  const { Committer } = await import(new URL("committer.js", engineDir).href);
  const run = MutationExecutor.prototype.run as (...a: unknown[]) => Promise<unknown>;
  MutationExecutor.prototype.run = function (this: unknown, ...args: unknown[]) {
    stats.mutations++;
    const t = performance.now();
    return run.apply(this, args).finally(() => (stats.executorMs += performance.now() - t));
  };
  timed(FunctionRunner.prototype, "run", "runnerMs");
  timed(Committer.prototype, "commit", "commitMs");
  const query = pg.Pool.prototype.query as (...a: unknown[]) => Promise<unknown>;
  (pg.Pool.prototype as { query: unknown }).query = function (this: pg.Pool, ...args: unknown[]) {
    const q = args[0] as { name?: string };
    if (typeof q !== "object" || !q.name?.startsWith("tandem_commit")) return query.apply(this, args);
    stats.statements++;
    const t = performance.now();
    return query.apply(this, args).finally(() => (stats.statementMs += performance.now() - t));
  };
  const sync = MvccStorage.prototype.sync;
  MvccStorage.prototype.sync = function (this: Storage) {
    stats.syncs++;
    const t = performance.now();
    return sync.call(this).finally(() => (stats.syncMs += performance.now() - t));
  };
  let writing = 0;
  let busySince = 0;
  const commitMany = MvccStorage.prototype.commitMany;
  MvccStorage.prototype.commitMany = function (this: Storage, requests, hooks) {
    stats.groups++;
    stats.requests += requests.length;
    if (writing++ === 0) busySince = performance.now();
    stats.concurrentAtStart += writing;
    return commitMany.call(this, requests, hooks).finally(() => {
      if (--writing === 0) stats.busyMs += performance.now() - busySince;
    });
  };
  const b = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-pg-one-")),
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
    database: { kind: "postgres", url: process.env.PG_ONE_DB!, schema: "tandem" },
  });
  process.on("SIGTERM", () => void b.close().finally(() => process.exit(0)));
  answerCpuReadings(() => "other-threads");
  process.on("message", (m) => {
    if (m === "groups") process.send!({ groups: { ...stats } });
  });
  process.send!({ url: b.url });
}

/** CPU (µs) of the processes with these pids, from /proc. */
function pidsCpu(pids: readonly number[]): number {
  let us = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      us += (Number(f[11]) + Number(f[12])) * 1e4;
    } catch {
      // gone
    }
  }
  return us;
}

/** Postgres's own background processes (WAL writer, checkpointer…): shared by every database. */
function postgresAuxPids(backends: ReadonlySet<number>): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      if (backends.has(pid)) return false;
      try {
        return /^postgres: \S+: (checkpointer|background writer|walwriter)/.test(
          readFileSync(`/proc/${pid}/cmdline`, "utf8"),
        );
      } catch {
        return false;
      }
    });
}

/** One node on a database of its own (two with PG_ONE_AB: the same code, a knob set apart). */
interface Side {
  readonly label: string;
  readonly db: string;
  readonly url: string;
  readonly server: Server;
}

async function startSide(admin: pg.Client, label: string, env: Record<string, string>): Promise<Side> {
  const db = `tandem_one_${randomBytes(6).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${db}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  const server = await startChild(fileURLToPath(import.meta.url), ROLE, "node", [], {
    ...env,
    PG_ONE_DB: u.toString(),
  });
  await pushApp(server.url);
  return { label, db, url: u.toString(), server };
}

function groupsOf(side: Side): Promise<GroupStats> {
  return new Promise<GroupStats>((resolve) => {
    const on = (m: { groups?: GroupStats }) => {
      if (!m.groups) return;
      side.server.child.off("message", on);
      resolve(m.groups);
    };
    side.server.child.on("message", on);
    side.server.child.send("groups");
  });
}

let n = 0;

/** One round on `side`: the mutations/s, after printing what the round measured. */
async function round(admin: pg.Client, agent: Agent, side: Side, r: number): Promise<number> {
  const url = new URL("/api/mutation", side.server.url);
  const child = side.server.child;
  const backends = (
    await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [side.db])
  ).rows.map((x) => x.pid);
  const aux = postgresAuxPids(new Set(backends));
  const [c0, g0, p0, a0] = [await cpuReading(child), await groupsOf(side), pidsCpu(backends), pidsCpu(aux)];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end)
        await callFunction(agent, url, functionBody("items:insert", { n: n++, text: `item ${n}` })).then(
          () => done++,
          () => failed++,
        );
    }),
  );
  const wall = performance.now() - start;
  const [c1, g1, p1, a1] = [await cpuReading(child), await groupsOf(side), pidsCpu(backends), pidsCpu(aux)];
  const rate = done / (wall / 1000);
  if (r === 0) return rate; // warm-up
  const threads: Record<string, number> = {};
  addThreadDelta(threads, c0.threads, c1.threads);
  const per = (us: number) => (us / done).toFixed(0);
  const pctOf = (ms: number) => ((ms / wall) * 100).toFixed(0);
  const gs = g1.groups - g0.groups;
  const threadList = Object.entries(threads)
    .map(([k, v]) => `${k} ${per(v)}`)
    .join(", ");
  console.log(
    [
      `${side.label}round ${r}: ${rate.toFixed(0)} mutations/s (${failed} failed), load ${loadavg()[0]!.toFixed(1)}`,
      `  node CPU per mutation ${per(c1.total - c0.total)} µs (${threadList}); node CPU busy ${pctOf((c1.total - c0.total) / 1000)} % of one core, main thread ${pctOf((threads.main ?? 0) / 1000)} %`,
      `  Postgres backends of this database ${per(p1 - p0)} µs per mutation (${pctOf((p1 - p0) / 1000)} % of one core, ${backends.length} backends); WAL writer/checkpointer ${per(a1 - a0)} µs`,
      `  group commits ${gs} (${((g1.requests - g0.requests) / gs).toFixed(1)} mutations each, ${(gs / (wall / 1000)).toFixed(0)}/s, ${((g1.busyMs - g0.busyMs) / gs).toFixed(2)} ms each), groups being written at once ${((g1.concurrentAtStart - g0.concurrentAtStart) / gs).toFixed(2)}, a group being written ${pctOf(g1.busyMs - g0.busyMs)} % of the round`,
      `  the group's statement ${((g1.statementMs - g0.statementMs) / (g1.statements - g0.statements)).toFixed(2)} ms from sending to reply (${g1.statements - g0.statements} statements)`,
      `  sync() ${g1.syncs - g0.syncs} calls, ${((g1.syncMs - g0.syncMs) / (g1.syncs - g0.syncs)).toFixed(2)} ms each; a mutation's whole round trip ${((CONCURRENCY * wall) / done).toFixed(1)} ms`,
      (() => {
        const m = g1.mutations - g0.mutations;
        const [ex, ru, co] = [g1.executorMs - g0.executorMs, g1.runnerMs - g0.runnerMs, g1.commitMs - g0.commitMs];
        const f = (ms: number) => (ms / m).toFixed(2);
        return `  per mutation in the node: ${f(ex)} ms run and commit, of which ${f(ru - co)} ms the function thread (its queue included), ${f(co)} ms the commit (its group's wait and write), ${f(ex - ru)} ms before (sync, checks); outside it (HTTP, queues) ${((CONCURRENCY * wall) / done - ex / m).toFixed(2)} ms`;
      })(),
    ].join("\n"),
  );
  return rate;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const sides: Side[] = [];
  // PG_ONE_AB=VAR: two nodes, VAR=0 (A) and VAR=1 (B), rounds alternating, B ÷ A per round pair.
  const ab = process.env.PG_ONE_AB;
  try {
    if (ab) {
      sides.push(await startSide(admin, `A (${ab}=0) `, { [ab]: "0" }));
      sides.push(await startSide(admin, `B (${ab}=1) `, { [ab]: "1" }));
    } else sides.push(await startSide(admin, "", {}));
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const ratios: string[] = [];
    const ofRaw: string[][] = sides.map(() => []);
    const raw = await rawInserter(sides[0]!.url);
    for (let r = 0; r <= ROUNDS; r++) {
      const rates: number[] = [];
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) rates.push(await round(admin, agent, side, r));
      // The ceiling in the same round: raw single-row insert transactions through `pg`.
      const rawRate = await raw.round();
      if (r > 0) {
        console.log(`raw pg insert transactions round ${r}: ${rawRate.toFixed(0)}/s`);
        order.forEach((side, i) => ofRaw[sides.indexOf(side)]!.push((rates[i]! / rawRate).toFixed(2)));
      }
      if (ab && r > 0) ratios.push((r % 2 === 0 ? rates[1]! / rates[0]! : rates[0]! / rates[1]!).toFixed(2));
    }
    sides.forEach((side, i) => console.log(`${side.label}÷ raw pg per round: ${ofRaw[i]!.join(", ")}`));
    if (ab) console.log(`B ÷ A mutations/s per round: ${ratios.join(", ")}`);
    await raw.end();
    agent.destroy();
    await headUpdatesByDepth(sides[0]!.url);
  } finally {
    for (const side of sides) {
      const gone = new Promise((resolve) => side.server.child.once("exit", resolve));
      side.server.child.kill("SIGTERM");
      await gone;
      await admin.query(`DROP DATABASE IF EXISTS ${side.db} WITH (FORCE)`);
    }
    await admin.end();
  }
}

/** Raw single-row insert transactions (`BEGIN; INSERT; COMMIT`) through `pg`, as postgres-nodes.bench.ts. */
async function rawInserter(url: string): Promise<{ round: () => Promise<number>; end: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  await pool.query(
    "CREATE TABLE raw_items (id bigserial PRIMARY KEY, n double precision NOT NULL, text text NOT NULL)",
  );
  let i = 0;
  const round = async () => {
    const end = performance.now() + SECONDS * 1000;
    let done = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const c = await pool.connect();
          try {
            await c.query("BEGIN");
            await c.query("INSERT INTO raw_items (n, text) VALUES ($1, $2)", [i, `item ${i++}`]);
            await c.query("COMMIT");
            done++;
          } finally {
            c.release();
          }
        }
      }),
    );
    return done / ((performance.now() - start) / 1000);
  };
  return { round, end: () => pool.end() };
}

/**
 * What pipelining group commits could give at most: durable updates of one row (as each group
 * moves the head, with its notification) from 1, 2 or 3 connections at once. A second update waits
 * for the first's row lock, which Postgres holds until its commit is flushed, so the flushes stay
 * one at a time; only the round trips overlap.
 */
async function headUpdatesByDepth(url: string): Promise<void> {
  const clients = await Promise.all(
    [0, 1, 2].map(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    await clients[0]!.query("CREATE TABLE depth_head (id int PRIMARY KEY, v bigint)");
    await clients[0]!.query("INSERT INTO depth_head VALUES (0, 0)");
    const q = `WITH m AS (UPDATE depth_head SET v = v + 1 WHERE id = 0 RETURNING v) SELECT pg_notify('depth', v::text) FROM m`;
    const line: string[] = [];
    for (const depth of [1, 2, 3, 1, 2, 3]) {
      const start = performance.now();
      let n = 0;
      await Promise.all(
        clients.slice(0, depth).map(async (c) => {
          while (performance.now() - start < SECONDS * 500) {
            await c.query(q);
            n++;
          }
        }),
      );
      line.push(`${depth}: ${(n / ((performance.now() - start) / 1000)).toFixed(0)}/s`);
    }
    console.log(`durable head updates by connections at once (load ${loadavg()[0]!.toFixed(1)}): ${line.join(", ")}`);
  } finally {
    for (const c of clients) await c.end();
  }
}

if (process.env[ROLE] === "node") await nodeRole();
else await main();
