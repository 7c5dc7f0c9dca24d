/**
 * The memory and time soak (issue 24, item 3): steady mixed load against `tandem serve` while its
 * resident memory and the clients' latencies are sampled. The load, at fixed rates (a steady
 * offered load, not a saturating one):
 *
 * - HTTP mutations (`ConvexHttpClient`) inserting into a table that keeps growing, and HTTP queries
 *   reading the newest messages of a channel;
 * - WebSocket mutations (`ConvexClient`) updating counters in place;
 * - `ConvexClient` subscribers to both, one of them replaced by a new connection every few seconds
 *   (connection churn is where leaks hide);
 * - identity session-token mints over the Frontend API, each token then used on an HTTP query the
 *   backend verifies against the identity service's JWKS.
 *
 * After the warm-up, the first and last windows are compared: median resident memory (growth) and
 * the p99 latency over all operations.
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import WebSocket from "ws";
import type { Served } from "./serve.js";

const send = anyApi.soak!.send as FunctionReference<"mutation">;
const bump = anyApi.soak!.bump as FunctionReference<"mutation">;
const recent = anyApi.soak!.recent as FunctionReference<"query">;
const counter = anyApi.soak!.counter as FunctionReference<"query">;
const whoami = anyApi.soak!.whoami as FunctionReference<"query">;

export interface LoadOptions {
  minutes: number;
  /** Not measured: the server's caches, JIT and heap settle. */
  warmupMinutes: number;
  /** Length of the first and last windows compared. */
  windowMinutes: number;
  sampleMs: number;
  subscribers: number;
  /** Progress lines (one per sample). */
  log?: (line: string) => void;
}

export type OpKind = "http mutation" | "http query" | "ws mutation" | "token mint" | "authed query";
const KINDS: OpKind[] = ["http mutation", "http query", "ws mutation", "token mint", "authed query"];

export interface WindowFigures {
  fromS: number;
  toS: number;
  rssMiB: number;
  p99Ms: number;
  perKind: Record<OpKind, { n: number; p50Ms: number; p99Ms: number }>;
}

export interface LoadReport {
  seconds: number;
  ops: Record<OpKind, number>;
  errors: number;
  /** The first few errors' messages. */
  errorSamples: string[];
  subscriberUpdates: number;
  connectionsOpened: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  first: WindowFigures;
  last: WindowFigures;
  rssGrowthMiB: number;
  p99Ratio: number;
  samples: { s: number; rssMiB: number }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

function wsClient(url: string): ConvexClient {
  return new ConvexClient(url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
}

/** A signed-in identity user: its client token (header mode) and session. */
interface User {
  id: string;
  client: string;
  session: string;
}

async function signInUsers(s: Served, n: number): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < n; i++) {
    const email = `soak${i}@example.com`;
    const password = "correct horse battery staple";
    const created = await fetch(`${s.identity}/backend/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ email_address: [email], password }),
    });
    if (created.status !== 200) throw new Error(`create user: ${created.status} ${await created.text()}`);
    const id = ((await created.json()) as { id: string }).id;
    const res = await fetch(`${s.identity}/v1/client/sign_ins?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ identifier: email, password, strategy: "password" }).toString(),
    });
    const body = (await res.json()) as { response?: { status: string; created_session_id: string } };
    if (body.response?.status !== "complete") throw new Error(`sign-in: ${JSON.stringify(body)}`);
    users.push({ id, client: res.headers.get("authorization")!, session: body.response.created_session_id });
  }
  return users;
}

async function mint(s: Served, u: User): Promise<string> {
  const res = await fetch(`${s.identity}/v1/client/sessions/${u.session}/tokens?_is_native=1`, {
    method: "POST",
    headers: { authorization: u.client },
  });
  if (res.status !== 200) throw new Error(`mint: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { jwt: string }).jwt;
}

export async function runLoadSoak(s: Served, o: LoadOptions): Promise<LoadReport> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  const end = started + o.minutes * 60_000;
  const warmEnd = started + o.warmupMinutes * 60_000;
  const lat: { t: number; kind: OpKind; ms: number }[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const ops = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<OpKind, number>;
  const samples: { t: number; rss: number }[] = [];
  let subscriberUpdates = 0;
  let connectionsOpened = 0;
  const rssStart = s.rss();

  const timed = async (kind: OpKind, f: () => Promise<unknown>) => {
    const t0 = performance.now();
    try {
      await f();
      ops[kind]++;
      lat.push({ t: Date.now(), kind, ms: performance.now() - t0 });
    } catch (e) {
      if (errors++ < 20) errorSamples.push(`${kind}: ${(e as Error).message}`);
    }
  };
  /** Runs `op` every `periodMs` until the end; a late start skips ahead instead of bursting. */
  const paced = async (periodMs: number, op: (i: number) => Promise<void>) => {
    let next = Date.now() + Math.random() * periodMs;
    for (let i = 0; Date.now() < end; i++) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      await op(i);
      next = Math.max(next + periodMs, Date.now());
    }
  };

  const users = await signInUsers(s, 4);
  const subscribers: ConvexClient[] = [];
  const subscribe = (i: number) => {
    const c = wsClient(s.api);
    connectionsOpened++;
    c.onUpdate(recent, { channel: `c${i % 5}` }, () => subscriberUpdates++);
    c.onUpdate(counter, { key: `k${i % 20}` }, () => subscriberUpdates++);
    subscribers.push(c);
  };
  for (let i = 0; i < o.subscribers; i++) subscribe(i);
  const writers = [wsClient(s.api), wsClient(s.api)];
  connectionsOpened += writers.length;
  const http = () => new ConvexHttpClient(s.api, { logger: false });

  const loops: Promise<void>[] = [];
  // 10 HTTP mutations a second, 10 HTTP queries, 10 WebSocket mutations, 2 mints + 2 authed queries.
  for (let w = 0; w < 4; w++) {
    const c = http();
    loops.push(
      paced(400, (i) =>
        timed("http mutation", () => c.mutation(send, { channel: `c${(w + i) % 5}`, body: `w${w}-${i} `.repeat(8) })),
      ),
    );
  }
  for (let w = 0; w < 2; w++) {
    const c = http();
    loops.push(paced(200, (i) => timed("http query", () => c.query(recent, { channel: `c${(w + i) % 5}` }))));
  }
  for (const [w, c] of writers.entries())
    loops.push(paced(200, (i) => timed("ws mutation", () => c.mutation(bump, { key: `k${(w * 7 + i) % 20}` }))));
  loops.push(
    paced(500, async (i) => {
      const u = users[i % users.length]!;
      let jwt = "";
      await timed("token mint", async () => (jwt = await mint(s, u)));
      if (!jwt) return;
      const c = http();
      c.setAuth(jwt);
      await timed("authed query", async () => {
        const who = await c.query(whoami, {});
        if (who !== u.id) throw new Error(`whoami answered ${String(who)}, expected ${u.id}`);
      });
    }),
  );
  // Churn: the oldest subscriber leaves and a new one arrives every 2 s.
  let churn = o.subscribers;
  loops.push(
    paced(2_000, async () => {
      const old = subscribers.shift();
      await old?.close();
      subscribe(churn++);
    }),
  );
  loops.push(
    paced(o.sampleMs, async () => {
      const rss = s.rss();
      samples.push({ t: Date.now(), rss });
      const recentLat = lat.filter((l) => l.t > Date.now() - o.sampleMs).map((l) => l.ms);
      recentLat.sort((a, b) => a - b);
      log(
        `${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  rss ${(rss / MiB).toFixed(1)} MiB  ` +
          `ops ${recentLat.length}  p99 ${quantile(recentLat, 0.99).toFixed(1)} ms  errors ${errors}`,
      );
    }),
  );
  await Promise.all(loops);
  await Promise.all([...subscribers, ...writers].map((c) => c.close()));

  const win = o.windowMinutes * 60_000;
  const measure = (from: number, to: number): WindowFigures => {
    const inWin = lat.filter((l) => l.t >= from && l.t < to);
    const all = inWin.map((l) => l.ms).sort((a, b) => a - b);
    const perKind = Object.fromEntries(
      KINDS.map((k) => {
        const xs = inWin
          .filter((l) => l.kind === k)
          .map((l) => l.ms)
          .sort((a, b) => a - b);
        return [k, { n: xs.length, p50Ms: quantile(xs, 0.5), p99Ms: quantile(xs, 0.99) }];
      }),
    ) as WindowFigures["perKind"];
    return {
      fromS: (from - started) / 1000,
      toS: (to - started) / 1000,
      rssMiB: median(samples.filter((x) => x.t >= from && x.t < to).map((x) => x.rss)) / MiB,
      p99Ms: quantile(all, 0.99),
      perKind,
    };
  };
  const stop = Date.now();
  const first = measure(warmEnd, warmEnd + win);
  const last = measure(stop - win, stop + 1);
  return {
    seconds: (stop - started) / 1000,
    ops,
    errors,
    errorSamples,
    subscriberUpdates,
    connectionsOpened,
    rssStartMiB: rssStart / MiB,
    rssPeakMiB: Math.max(...samples.map((x) => x.rss)) / MiB,
    first,
    last,
    rssGrowthMiB: last.rssMiB - first.rssMiB,
    p99Ratio: last.p99Ms / Math.max(first.p99Ms, 1),
    samples: samples.map((x) => ({ s: Math.round((x.t - started) / 1000), rssMiB: +(x.rss / MiB).toFixed(1) })),
  };
}

/** The report as the lines `npm run soak -- load` prints. */
export function describeLoad(r: LoadReport): string[] {
  const total = Object.values(r.ops).reduce((a, b) => a + b, 0);
  const w = (x: WindowFigures) =>
    `${x.fromS.toFixed(0)}–${x.toS.toFixed(0)} s: rss ${x.rssMiB.toFixed(1)} MiB, p99 ${x.p99Ms.toFixed(1)} ms (` +
    KINDS.map((k) => `${k} p50 ${x.perKind[k].p50Ms.toFixed(1)} / p99 ${x.perKind[k].p99Ms.toFixed(1)}`).join(", ") +
    ")";
  return [
    `load soak: ${r.seconds.toFixed(0)} s, ${total} operations (${KINDS.map((k) => `${r.ops[k]} ${k}`).join(", ")}), ` +
      `${r.subscriberUpdates} subscriber updates over ${r.connectionsOpened} WebSocket connections, ${r.errors} errors`,
    `  rss at start ${r.rssStartMiB.toFixed(1)} MiB, peak ${r.rssPeakMiB.toFixed(1)} MiB`,
    `  first window ${w(r.first)}`,
    `  last window  ${w(r.last)}`,
    `  rss growth after warm-up ${r.rssGrowthMiB.toFixed(1)} MiB; p99 last/first ${r.p99Ratio.toFixed(2)}`,
  ];
}

/**
 * The bounds the soak asserts. Resident memory after the warm-up may grow by at most
 * `rssGrowthMiB` between the first and last windows (medians of the samples in each), and the
 * last window's p99 may be at most `p99Factor` times the first's (plus `p99SlackMs`: on a shared
 * machine a few milliseconds of scheduling noise is a large factor of a small p99).
 */
export const LOAD_BOUNDS = { rssGrowthMiB: 64, p99Factor: 3, p99SlackMs: 50 };

export function checkLoad(r: LoadReport): string[] {
  const problems: string[] = [];
  if (r.errors) problems.push(`${r.errors} errors: ${r.errorSamples.slice(0, 5).join("; ")}`);
  if (r.rssGrowthMiB > LOAD_BOUNDS.rssGrowthMiB)
    problems.push(
      `resident memory grew ${r.rssGrowthMiB.toFixed(1)} MiB after warm-up (bound ${LOAD_BOUNDS.rssGrowthMiB})`,
    );
  const allowed = LOAD_BOUNDS.p99Factor * r.first.p99Ms + LOAD_BOUNDS.p99SlackMs;
  if (r.last.p99Ms > allowed)
    problems.push(
      `p99 went from ${r.first.p99Ms.toFixed(1)} to ${r.last.p99Ms.toFixed(1)} ms (bound ${allowed.toFixed(1)})`,
    );
  for (const k of KINDS) if (!r.last.perKind[k].n) problems.push(`no ${k} completed in the last window`);
  if (!r.subscriberUpdates) problems.push("the subscribers saw no update");
  return problems;
}
