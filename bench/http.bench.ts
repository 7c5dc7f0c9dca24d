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
 * HTTP_BENCH_ONLY=insert (skip the query rows), HTTP_BENCH_SERVER_FLAGS="--cpu-prof" (node flags for
 * the Tandem server's process, e.g. to profile it).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, symlink, writeFile } from "node:fs/promises";
import { Agent, createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import type { BenchRow } from "./report.js";

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 8);
const CONCURRENCY = Number(process.env.HTTP_BENCH_CONCURRENCY ?? 50);
const ADMIN_KEY = "bench|http-admin-key";
const ROWS = 5000;
const ONLY = process.env.HTTP_BENCH_ONLY;
const SERVER_FLAGS = (process.env.HTTP_BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean);
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");

// ---- servers (child processes) ---------------------------------------------------------------

async function tandemRole(): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const dataDir = await mkdtemp(join(tmpdir(), "tandem-bench-http-"));
  const workers = process.env.HTTP_BENCH_WORKERS === undefined ? undefined : Number(process.env.HTTP_BENCH_WORKERS);
  const b = await startBackend({
    dataDir,
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
    ...(workers === undefined ? {} : { workers }),
  });
  // A normal exit on kill, so flags such as --cpu-prof write their output.
  process.on("SIGTERM", () => void b.close().finally(() => process.exit(0)));
  answerCpuReadings();
  process.send!({ url: b.url });
}

async function bareRole(): Promise<void> {
  const { default: Database } = await import("better-sqlite3");
  const dir = await mkdtemp(join(tmpdir(), "tandem-bench-bare-"));
  const db = new Database(join(dir, "bare.sqlite3"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n REAL NOT NULL, text TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO items (n, text) VALUES (?, ?)");
  const insertTx = db.transaction((n: number, text: string) => insert.run(n, text).lastInsertRowid);
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
      if (req.url === "/api/mutation") value = String(insertTx(args.n as number, args.text as string));
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

/** CPU time of the whole server process (every thread), asked for by the load generator. */
function answerCpuReadings(): void {
  process.on("message", (m) => {
    if (m === "cpu") process.send!({ cpu: process.cpuUsage() });
  });
}

function cpuReading(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: { cpu?: NodeJS.CpuUsage }) => {
      if (!m.cpu) return;
      child.off("message", on);
      resolve(m.cpu.user + m.cpu.system);
    };
    child.on("message", on);
    child.send("cpu");
  });
}

function startChild(role: "tandem" | "bare"): Promise<{ url: string; child: ChildProcess }> {
  const execArgv = role === "tandem" ? [...process.execArgv, ...SERVER_FLAGS] : process.execArgv;
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, HTTP_BENCH_ROLE: role },
    execArgv,
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
export const range = query({ args: { from: v.number() }, handler: (ctx, { from }) => ctx.db.query("items").withIndex("by_n", (q) => q.gte("n", from)).take(100) });`,
  "package.json": `{"name":"bench-http-app","private":true,"type":"module","dependencies":{"convex":"1.48.0"}}`,
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

const CLIENT_HEADERS = { "Content-Type": "application/json", "Convex-Client": "npm-1.48.0" };

function call(agent: Agent, url: URL, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent,
      headers: { ...CLIENT_HEADERS, "Content-Length": Buffer.byteLength(body) },
    });
    req.on("response", (res: IncomingMessage) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

interface Measured {
  /** Requests/s. */
  readonly rate: number;
  /** The server process's CPU time per request, µs (all its threads). */
  readonly cpuPerRequest: number;
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
): Promise<{ tandem: Measured; bare: Measured }> {
  const sum = () => ({ count: 0, seconds: 0, cpu: 0, next: 0 });
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
    }
  }
  const result = (t: ReturnType<typeof sum>): Measured => ({
    rate: t.count / t.seconds,
    cpuPerRequest: t.cpu / t.count,
  });
  return { tandem: result(totals.tandem), bare: result(totals.bare) };
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
): Promise<{ count: number; seconds: number; cpu: number; next: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(path, server.url);
  let i = first;
  let done = 0;
  let failed: Error | null = null;
  let measuring = false;
  let stop = false;
  const loop = async () => {
    while (!stop && !failed) {
      const text = await call(agent, url, makeBody(i++)).catch((e: Error) => ((failed = e), ""));
      if (!text.startsWith('{"status":"success"')) failed ??= new Error(`unexpected answer: ${text.slice(0, 300)}`);
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
  const cpu = (await cpuReading(server.child)) - cpu0;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  if (failed) throw failed;
  return { count: counted, seconds: elapsed, cpu, next: i };
}

const mutationBody = (i: number) =>
  JSON.stringify({ path: "items:insert", format: "convex_encoded_json", args: [{ n: i, text: `item ${i}` }] });

export default async function httpBench(): Promise<BenchRow[]> {
  const tandem = await startChild("tandem");
  const bare = await startChild("bare");
  try {
    await pushApp(tandem.url);
    const rows: BenchRow[] = [];
    const { tandem: tandemInserts, bare: bareInserts } = await measurePair(tandem, bare, "/api/mutation", mutationBody);
    rows.push({
      name: `small insert mutations over HTTP (${CONCURRENCY} in flight, official client's body)`,
      value: tandemInserts.rate,
      unit: "mutations/s",
      ceiling: {
        name: "bare node:http + better-sqlite3, WAL + synchronous=NORMAL, 1 tx per insert",
        value: bareInserts.rate,
      },
      target: "≥ 0.5",
    });
    rows.push({
      name: "server CPU time per insert mutation (all threads of the server process)",
      value: tandemInserts.cpuPerRequest,
      unit: "µs",
      lowerIsBetter: true,
      ceiling: { name: "the bare server", value: bareInserts.cpuPerRequest },
    });
    if (ONLY === "insert") return rows;
    // Both stores now hold ≥ ROWS items with n = 0, 1, 2, …
    const pointBody = (i: number) =>
      JSON.stringify({ path: "items:byN", format: "convex_encoded_json", args: [{ n: i % ROWS }] });
    const bareBody = (i: number) =>
      JSON.stringify({ path: "items:byN", format: "convex_encoded_json", args: [{ n: 1 + (i % ROWS) }] });
    const points = await measurePair(tandem, bare, "/api/query", pointBody, bareBody);
    rows.push({
      name: "indexed point query over HTTP (withIndex eq → unique)",
      value: points.tandem.rate,
      unit: "queries/s",
      ceiling: { name: "bare server reading 1 row by primary key", value: points.bare.rate },
    });
    const rangeBody = (i: number) =>
      JSON.stringify({ path: "items:range", format: "convex_encoded_json", args: [{ from: i % (ROWS - 100) }] });
    const ranges = await measurePair(tandem, bare, "/api/query", rangeBody);
    rows.push({
      name: "100-document indexed range query over HTTP (withIndex gte → take 100)",
      value: ranges.tandem.rate,
      unit: "queries/s",
      ceiling: { name: "bare server reading 100 rows by primary-key range", value: ranges.bare.rate },
    });
    return rows;
  } finally {
    tandem.child.kill();
    bare.child.kill();
  }
}

const role = process.env.HTTP_BENCH_ROLE;
if (role === "tandem") await tandemRole();
else if (role === "bare") await bareRole();
