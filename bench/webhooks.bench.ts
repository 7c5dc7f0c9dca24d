/**
 * Webhook benchmark (issue 19): deliveries to a bare local receiver, against the receiver's own
 * ceiling in the same run.
 *
 * - Throughput: N users created through the Backend API (20 in flight), from the first request to
 *   the N-th `user.created` received; vs N bare signed POSTs of the same body straight to the
 *   receiver, 16 in flight (the dispatcher's concurrency).
 * - Lag: one user updated N times in a row (one client), change sent → `user.updated` received,
 *   p50 / p99; vs one bare POST to the receiver, send → received.
 *
 * The identity service runs in a child process so the receiver and load do not share its event
 * loop. Knobs: WEBHOOK_BENCH_EVENTS=2000, WEBHOOK_BENCH_LAG=300.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./report.js";

const EVENTS = Number(process.env.WEBHOOK_BENCH_EVENTS ?? 2000);
const LAG = Number(process.env.WEBHOOK_BENCH_LAG ?? 300);

async function serverRole(): Promise<void> {
  const { startIdentityServer } = await import("@tandem/identity");
  const s = await startIdentityServer({ dataDir: await mkdtemp(join(tmpdir(), "tandem-bench-webhooks-")), port: 0 });
  process.send!({ url: s.url, secretKey: s.secretKey });
}

function startServer(): Promise<{ url: string; secretKey: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, WEBHOOK_BENCH_ROLE: "server" },
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string; secretKey: string }) => resolve({ ...m, child }));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function pool(n: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await call(next++);
    }),
  );
}

/** A bare receiver: counts deliveries by type, records arrival times, answers 204. */
async function startReceiver() {
  const seen = new Map<string, number>();
  const arrivals = new Map<string, number>();
  let waiter: { type: string; n: number; resolve: () => void } | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      res.statusCode = 204;
      res.end();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        type: string;
        data: { first_name?: string };
      };
      seen.set(body.type, (seen.get(body.type) ?? 0) + 1);
      if (body.data.first_name) arrivals.set(body.data.first_name, at);
      if (waiter && (seen.get(waiter.type) ?? 0) >= waiter.n) {
        waiter.resolve();
        waiter = null;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return {
    url,
    arrivals,
    count: (type: string) => seen.get(type) ?? 0,
    until: (type: string, n: number) =>
      new Promise<void>((resolve) => ((seen.get(type) ?? 0) >= n ? resolve() : (waiter = { type, n, resolve }))),
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

export default async function webhooksBench(): Promise<BenchRow[]> {
  const server = await startServer();
  const rx = await startReceiver();
  const bapi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/backend/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${server.secretKey}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as { id: string };
  };
  try {
    await bapi("POST", "/webhooks/endpoints", { url: rx.url, events: ["user.created", "user.updated"] });
    // Warm-up (JIT, SQLite pages, sockets).
    await pool(200, 20, (i) => bapi("POST", "/users", { email_address: [`warm${i}@example.com`] }));
    await rx.until("user.created", 200);

    // Throughput through Tandem.
    let t0 = performance.now();
    await pool(EVENTS, 20, (i) => bapi("POST", "/users", { email_address: [`u${i}@example.com`] }));
    await rx.until("user.created", 200 + EVENTS);
    const perSec = EVENTS / ((performance.now() - t0) / 1000);

    // Ceiling: bare POSTs of a delivery-sized body straight to the receiver.
    const sample = JSON.stringify({ type: "bare", object: "event", data: { id: "user_x", padding: "x".repeat(1500) } });
    t0 = performance.now();
    await pool(EVENTS, 16, () =>
      fetch(rx.url, { method: "POST", headers: { "content-type": "application/json" }, body: sample }).then((r) =>
        r.arrayBuffer(),
      ),
    );
    const ceilingPerSec = EVENTS / ((performance.now() - t0) / 1000);

    // Lag: change sent → delivered, one change at a time.
    const user = await bapi("POST", "/users", { email_address: ["lag@example.com"] });
    const lags: number[] = [];
    for (let i = 0; i < LAG; i++) {
      const name = `lag${i}`;
      const sent = performance.now();
      const before = rx.count("user.updated");
      await bapi("PATCH", `/users/${user.id}`, { first_name: name });
      await rx.until("user.updated", before + 1);
      lags.push(rx.arrivals.get(name)! - sent);
    }
    const bare: number[] = [];
    for (let i = 0; i < LAG; i++) {
      const name = `bare${i}`;
      const sent = performance.now();
      await fetch(rx.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "bare", data: { first_name: name } }),
      }).then((r) => r.arrayBuffer());
      bare.push(rx.arrivals.get(name)! - sent);
    }
    const lagRow = (p: number): BenchRow => ({
      name: `webhook lag p${p}: Backend API change sent → delivery received (one change at a time)`,
      value: percentile(lags, p),
      unit: "ms",
      lowerIsBetter: true,
      ceiling: { name: "a bare POST to the receiver, send → received", value: Math.max(percentile(bare, p), 0.05) },
    });
    return [
      {
        name: `webhook deliveries/s (${EVENTS} users created through the Backend API, 20 in flight → all user.created received)`,
        value: perSec,
        unit: "/s",
        ceiling: { name: "bare POSTs to the same receiver, 16 in flight", value: ceilingPerSec },
      },
      lagRow(50),
      lagRow(99),
    ];
  } finally {
    await rx.close();
    server.child.kill();
  }
}

if (process.env.WEBHOOK_BENCH_ROLE === "server") await serverRole();
