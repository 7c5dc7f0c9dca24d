/**
 * Servers of the HTTP and WebSocket benchmarks run in child processes (the bench file forked with
 * a role in its environment), so the load generator does not share their event loop. This file
 * holds what those benches share: starting Tandem in a child, pushing the bench app with the
 * official CLI, and reading a child's CPU time (whole process, or per thread from /proc).
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, mkdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ADMIN_KEY = "bench|http-admin-key";
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");

export interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

/** In the child: Tandem on a fresh data folder; sends its URL to the parent. */
export async function tandemRole(): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const dataDir = await mkdtemp(join(tmpdir(), "tandem-bench-"));
  // Threads running now are Node's own (V8 platform, the libuv pool, started by the mkdtemp above);
  // the ones startBackend adds are its function threads and helpers (checkpoints, actions).
  const runtimeThreads = new Set(taskIds());
  // BENCH_FUNCTION_THREADS (or the older HTTP_BENCH_WORKERS); unset: the backend's default.
  const threads = process.env.BENCH_FUNCTION_THREADS ?? process.env.HTTP_BENCH_WORKERS;
  // BENCH_QUERY_CACHE=off: every query runs (rows that measure the query work itself); a number:
  // the most results kept (1 with cycling arguments: every query misses, and pays the cache's cost).
  const cacheKnob = process.env.BENCH_QUERY_CACHE;
  const queryCache =
    cacheKnob === "off"
      ? { queryCache: false as const }
      : cacheKnob
        ? { queryCache: { maxEntries: Number(cacheKnob) } }
        : {};
  const b = await startBackend({
    dataDir,
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
    ...(threads === undefined ? {} : { workers: Number(threads) }),
    ...queryCache,
  });
  // A normal exit on kill, so flags such as --cpu-prof write their output.
  process.on("SIGTERM", () => void b.close().finally(() => process.exit(0)));
  const backendThreads = new Set(taskIds().filter((t) => !runtimeThreads.has(t)));
  answerCpuReadings((tid) => (backendThreads.has(tid) ? "backend-threads" : "node-runtime"));
  process.on("message", (m) => {
    if (m === "query-cache") process.send!({ queryCache: b.engine.queryCacheStats() });
  });
  process.send!({ url: b.url });
}

/** CPU time of one thread: user + system, µs. */
export type ThreadCpu = Record<string, number>;

function taskIds(): string[] {
  try {
    return readdirSync("/proc/self/task");
  } catch {
    return []; // not Linux: per-thread figures are left out
  }
}

/**
 * In the child: answers the load generator's CPU readings (whole process, and per thread named
 * by `kind`; the main thread is always `main`).
 */
export function answerCpuReadings(kind: (tid: string) => string = () => "other"): void {
  process.on("message", (m) => {
    if (m === "cpu") process.send!({ cpu: process.cpuUsage(), threads: threadCpu(kind) });
  });
}

/** Per-thread CPU from /proc/self/task (Linux; Node names every thread `node`, hence `kind`). */
function threadCpu(kind: (tid: string) => string): ThreadCpu {
  const out: ThreadCpu = {};
  const tick = 1e6 / 100; // USER_HZ is 100 on Linux: µs per tick
  for (const tid of taskIds()) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpu = (Number(fields[11]) + Number(fields[12])) * tick;
      out[`${Number(tid) === process.pid ? "main" : kind(tid)}#${tid}`] = cpu;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

export function cpuReading(child: ChildProcess): Promise<{ total: number; threads: ThreadCpu }> {
  return new Promise((resolve) => {
    const on = (m: { cpu?: NodeJS.CpuUsage; threads?: ThreadCpu }) => {
      if (!m.cpu) return;
      child.off("message", on);
      resolve({ total: m.cpu.user + m.cpu.system, threads: m.threads ?? {} });
    };
    child.on("message", on);
    child.send("cpu");
  });
}

/** Adds `b − a` per thread into `into` (threads grouped by name without their id). */
export function addThreadDelta(into: Record<string, number>, a: ThreadCpu, b: ThreadCpu): void {
  for (const [k, v] of Object.entries(b)) {
    const group = k.slice(0, k.indexOf("#"));
    into[group] = (into[group] ?? 0) + v - (a[k] ?? 0);
  }
}

/** A Tandem child's query cache counters (`tandemRole`). */
export function queryCacheReading(child: ChildProcess): Promise<{ hits: number; misses: number; evictions: number }> {
  return new Promise((resolve) => {
    const on = (m: { queryCache?: { hits: number; misses: number; evictions: number } }) => {
      if (!m.queryCache) return;
      child.off("message", on);
      resolve(m.queryCache);
    };
    child.on("message", on);
    child.send("query-cache");
  });
}

/** Forks `file` with `env[roleVar] = role` (and `env`); resolves once the child sends its URL. */
export function startChild(
  file: string,
  roleVar: string,
  role: string,
  extraFlags: string[] = [],
  env: Record<string, string> = {},
): Promise<Server> {
  const child = fork(file, [], {
    env: { ...process.env, ...env, [roleVar]: role },
    execArgv: [...process.execArgv, ...extraFlags],
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
export default defineSchema({ items: defineTable({ n: v.number(), text: v.string() }).index("by_n", ["n"]) });`,
  "convex/items.ts": `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const insert = mutation({ args: { n: v.number(), text: v.string() }, handler: (ctx, a) => ctx.db.insert("items", a) });
export const byN = query({ args: { n: v.number() }, handler: (ctx, { n }) => ctx.db.query("items").withIndex("by_n", (q) => q.eq("n", n)).unique() });
export const seed = mutation({ args: { from: v.number(), count: v.number() }, handler: async (ctx, { from, count }) => { for (let n = from; n < from + count; n++) await ctx.db.insert("items", { n, text: \`item \${n}\` }); } });
export const setText = mutation({ args: { n: v.number(), text: v.string() }, handler: async (ctx, { n, text }) => { const d = await ctx.db.query("items").withIndex("by_n", (q) => q.eq("n", n)).unique(); if (d) await ctx.db.patch(d._id, { text }); } });
export const range = query({ args: { from: v.number() }, handler: (ctx, { from }) => ctx.db.query("items").withIndex("by_n", (q) => q.gte("n", from)).take(100) });`,
  "package.json": `{"name":"bench-http-app","private":true,"type":"module","dependencies":{"convex":"1.48.0"}}`,
};

/** Pushes the bench app (`items:insert`, `items:seed`, `items:setText`, `items:byN`, `items:range`) with the official CLI. */
export async function pushApp(url: string): Promise<void> {
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
    { cwd: dir, env, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`push failed:\n${r.stdout}${r.stderr}`);
}
