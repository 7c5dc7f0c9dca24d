/**
 * Scheduler benchmark (issue 16): the same small insert mutation run as scheduled jobs and run
 * directly by clients, in the same run against the same backend (DESIGN.md §6).
 *
 * - Throughput: a burst of N jobs (scheduled by N/500 mutations at once) from the first scheduling
 *   call to the last job's commit, vs N direct `/api/mutation` calls with 50 in flight.
 * - Start lag: 10 clients in a loop, each scheduling one job with `runAfter(0)` per mutation: the
 *   job's start (its mutation's `Date.now()`) minus its scheduled time; vs 10 clients calling the
 *   mutation directly: its start minus the client's send time.
 *
 * The backend runs in a child process, so the load generator does not share its event loop.
 * Knobs: SCHEDULER_BENCH_JOBS=2000, SCHEDULER_BENCH_LAG_JOBS=400.
 */
import { execFile, fork, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./report.js";

const JOBS = Number(process.env.SCHEDULER_BENCH_JOBS ?? 2000);
const LAG_JOBS = Number(process.env.SCHEDULER_BENCH_LAG_JOBS ?? 400);
const PER_MUTATION = 500;
const ADMIN_KEY = "bench|scheduler-admin-key";
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");
const fixture = join(repoRoot, "packages", "backend", "test", "fixtures", "apps", "scheduler");

async function serverRole(): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const b = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-bench-scheduler-")),
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
  });
  process.send!({ url: b.url });
}

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, SCHEDULER_BENCH_ROLE: "server" },
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve({ url: m.url, child }));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function pushApp(url: string): Promise<void> {
  const dir = join(await mkdtemp(join(tmpdir(), "tandem-bench-scheduler-app-")), "app");
  await cp(fixture, dir, { recursive: true });
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await symlink(join(repoRoot, "node_modules", "convex"), join(dir, "node_modules", "convex"), "dir");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONVEX_SELF_HOSTED_URL: url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: ADMIN_KEY,
    CI: "1",
  };
  delete env.CONVEX_DEPLOYMENT;
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [join(dir, "node_modules/convex/bin/main.js"), "dev", "--once", "--typecheck", "disable"],
      { cwd: dir, env },
      (err, stdout, stderr) => (err ? reject(new Error(`push failed:\n${stdout}${stderr}`)) : resolve()),
    ),
  );
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export default async function schedulerBench(): Promise<BenchRow[]> {
  const { ConvexHttpClient } = await import("convex/browser");
  const { anyApi } = await import("convex/server");
  const api = anyApi;
  const server = await startServer();
  try {
    await pushApp(server.url);
    const client = new ConvexHttpClient(server.url);
    type Row = { lag: number | null; t: number };
    const window = (prefix: string) => client.query(api.jobs!.window!, { prefix }) as Promise<Row[]>;
    const waitFor = async (prefix: string, n: number): Promise<Row[]> => {
      for (;;) {
        const rows = await window(prefix);
        if (rows.length >= n) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    /** Runs `call(i)` for i < n with `inFlight` calls at a time. */
    const pool = async (n: number, inFlight: number, call: (i: number) => Promise<unknown>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < n) await call(next++);
        }),
      );
    };

    // Warm-up of both paths (JIT, function threads, SQLite pages).
    await client.mutation(api.jobs!.many!, { prefix: "warm-s-", n: 200, delayMs: 0 });
    await pool(200, 50, (i) => client.mutation(api.jobs!.recordDirect!, { tag: `warm-d-${i}`, sentAt: Date.now() }));
    await waitFor("warm-s-", 200);

    // Throughput: direct.
    let t0 = Date.now();
    await pool(JOBS, 50, (i) => client.mutation(api.jobs!.recordDirect!, { tag: `tp-d-${i}`, sentAt: Date.now() }));
    const directPerSec = JOBS / ((Date.now() - t0) / 1000);
    // Throughput: scheduled burst.
    t0 = Date.now();
    await Promise.all(
      Array.from({ length: JOBS / PER_MUTATION }, (_, b) =>
        client.mutation(api.jobs!.many!, { prefix: `tp-s-${b}-`, n: PER_MUTATION, delayMs: 0 }),
      ),
    );
    const burst = await waitFor("tp-s-", JOBS);
    const scheduledPerSec = JOBS / ((Math.max(...burst.map((r) => r.t)) - t0) / 1000);
    const burstLags = burst.map((r) => r.lag ?? 0);

    // Start lag, steady load: 10 clients, one job per scheduling mutation.
    await pool(LAG_JOBS, 10, (i) => client.mutation(api.jobs!.many!, { prefix: `lag-s-${i}-`, n: 1, delayMs: 0 }));
    const scheduledLags = (await waitFor("lag-s-", LAG_JOBS)).map((r) => r.lag ?? 0);
    await pool(LAG_JOBS, 10, (i) =>
      client.mutation(api.jobs!.recordDirect!, { tag: `lag-d-${i}`, sentAt: Date.now() }),
    );
    const directLags = (await window("lag-d-")).map((r) => r.lag ?? 0);

    const lagRow = (p: number): BenchRow => ({
      name: `scheduled mutation start lag p${p} (runAfter(0), 10 clients scheduling one job per mutation)`,
      value: percentile(scheduledLags, p),
      unit: "ms",
      lowerIsBetter: true,
      ceiling: {
        name: "the same mutation called directly by 10 clients: send → start",
        value: Math.max(percentile(directLags, p), 0.5),
      },
    });
    return [
      {
        name: `scheduled mutations/s (burst of ${JOBS} jobs from ${JOBS / PER_MUTATION} mutations)`,
        value: scheduledPerSec,
        unit: "/s",
        ceiling: { name: "the same mutation over /api/mutation, 50 in flight", value: directPerSec },
      },
      lagRow(50),
      lagRow(99),
      {
        name: `start lag within the ${JOBS}-job burst, p50 / p99 (queueing included)`,
        value: percentile(burstLags, 50),
        unit: "ms",
        lowerIsBetter: true,
        note: `p99 ${percentile(burstLags, 99).toFixed(0)} ms`,
      },
    ];
  } finally {
    server.child.kill();
  }
}

if (process.env.SCHEDULER_BENCH_ROLE === "server") await serverRole();
