/**
 * Sync benchmarks (issue 3), each beside a same-run ceiling (docs/architecture.md#measuring-speed):
 * - fan-out: N WebSocket clients subscribed to one query, one mutation → time until the last client
 *   has the new value (p50/p99), vs a bare `ws` server broadcasting the same payload to N sockets;
 * - memory per idle subscribed connection, vs a bare `ws` connection;
 * - invalidation cost per commit with 1k → 100k distinct subscriptions (flat within 2×);
 * - one client's mutation → another client's update latency, vs a bare `ws` server doing one
 *   better-sqlite3 upsert per mutation frame and then broadcasting (alternating rounds).
 *
 * The clients of the fan-out run in a child process (this file, `SYNC_BENCH_ROLE=clients`) so they
 * have their own core and file descriptors. Knobs (env): SYNC_BENCH_FANOUT="1000,10000",
 * SYNC_BENCH_ROUNDS=50 (after SYNC_BENCH_WARMUP=5 unmeasured ones), SYNC_BENCH_SUBS="1000,10000,100000",
 * SYNC_BENCH_ENGINE=real|memory, SYNC_BENCH_ONLY=memory (only the memory rows: one connect to each
 * server, no rounds, no invalidation or latency rows), or a comma list of fanout, invalidation,
 * latency (only those rows), SYNC_BENCH_THREADS=0 (functions inline on the main thread; default:
 * function threads, as `tandem serve` runs them).
 * 10,000 clients need ~10,000 descriptors in each process: `ulimit -n` ≥ 12000 (Node cannot raise
 * its own limit; run `ulimit -n 65536` in the shell first if it is lower).
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import WebSocket, { WebSocketServer } from "ws";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { roundRatio, type BenchRow } from "./report.js";
import type { Engine } from "../packages/backend/src/engine/types.js";
import { attachSyncServer } from "../packages/backend/src/sync/index.js";
import { SubscriptionManager } from "../packages/backend/src/subscriptions/index.js";

/** What the benchmark needs of an engine: `counters:get({name})` and `counters:set({name, value})`. */
export type EngineFactory = () => Promise<{ engine: Engine; close(): Promise<void> }>;

const env = (k: string, d: string) => process.env[k] ?? d;
/** Unmeasured rounds before each fan-out measurement (JIT warm-up), for Tandem and the ceiling alike. */
const WARMUP = Number(env("SYNC_BENCH_WARMUP", "5"));
/** `memory`: only the memory-per-connection rows (the fan-out rounds and other rows are skipped). */
const ONLY_MEMORY = env("SYNC_BENCH_ONLY", "") === "memory";
/** Which row groups run (all unless SYNC_BENCH_ONLY names some). */
const only = env("SYNC_BENCH_ONLY", "").split(",").filter(Boolean);
const wanted = (group: "fanout" | "invalidation" | "latency") => only.length === 0 || only.includes(group);
const list = (k: string, d: string) =>
  env(k, d)
    .split(",")
    .map(Number)
    .filter((n) => n > 0);
const none = { kind: "none" } as const;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const gc = (() => {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
})();
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
};
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const jsMemory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));
}

// ---- the client process --------------------------------------------------------------------

type ToChild =
  | { cmd: "open"; url: string; n: number; subscribe: { udfPath: string; args: object } | null }
  | { cmd: "expect"; value: number }
  | { cmd: "close" };

async function clientRole(): Promise<void> {
  let sockets: WebSocket[] = [];
  let latest: number[] = [];
  let waiting: { value: number; left: number } | null = null;
  const send = (m: object) => process.send!(m);
  const valueOf = (text: string): number | null => {
    const m = JSON.parse(text) as { type: string; modifications?: Array<{ value?: unknown }> };
    if (m.type !== "Transition" || !m.modifications?.length) return null;
    const v = m.modifications[0]!.value;
    return typeof v === "number" ? v : null;
  };
  process.on("message", async (msg: ToChild) => {
    if (msg.cmd === "open") {
      latest = new Array<number>(msg.n).fill(-1);
      let ready = 0;
      const opened: Promise<void>[] = [];
      for (let i = 0; i < msg.n; i++) {
        const ws = new WebSocket(msg.url);
        sockets.push(ws);
        ws.on("error", () => {});
        ws.on("message", (data) => {
          const v = valueOf(data.toString());
          if (v === null) return;
          const first = latest[i] === -1;
          latest[i] = v;
          if (first && ++ready === msg.n) send({ ready: true });
          if (waiting && v === waiting.value && --waiting.left === 0) {
            waiting = null;
            send({ done: true });
          }
        });
        opened.push(
          new Promise<void>((resolve) =>
            ws.once("open", () => {
              if (msg.subscribe) {
                ws.send(
                  JSON.stringify({
                    type: "Connect",
                    sessionId: `bench-${i}`,
                    connectionCount: 0,
                    lastCloseReason: "InitialConnect",
                    clientTs: Date.now(),
                  }),
                );
                ws.send(
                  JSON.stringify({
                    type: "ModifyQuerySet",
                    baseVersion: 0,
                    newVersion: 1,
                    modifications: [{ type: "Add", queryId: 0, ...msg.subscribe, args: [msg.subscribe.args] }],
                  }),
                );
              }
              resolve();
            }),
          ),
        );
        if (i % 200 === 199) await Promise.all(opened.splice(0)); // don't flood the accept queue
      }
      await Promise.all(opened);
      if (!msg.subscribe) send({ ready: true });
    } else if (msg.cmd === "expect") {
      const left = latest.filter((v) => v !== msg.value).length;
      if (left === 0) send({ done: true });
      else waiting = { value: msg.value, left };
    } else {
      for (const ws of sockets) ws.terminate();
      sockets = [];
      send({ closed: true });
    }
  });
  send({ started: true });
}

class Clients {
  private constructor(private readonly child: ChildProcess) {}
  static async start(): Promise<Clients> {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, SYNC_BENCH_ROLE: "clients" },
      execArgv: ["--import", "tsx"],
    });
    const c = new Clients(child);
    await c.reply("started");
    return c;
  }
  private reply(key: string): Promise<void> {
    return new Promise((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (m[key]) {
          this.child.off("message", on);
          resolve();
        }
      };
      this.child.on("message", on);
    });
  }
  async ask(msg: ToChild, key: string): Promise<void> {
    const r = this.reply(key);
    this.child.send(msg);
    await r;
  }
  stop() {
    this.child.kill();
  }
}

// ---- fan-out and memory --------------------------------------------------------------------

/**
 * Tandem and the bare broadcast alternate in blocks (`SYNC_BENCH_BLOCKS`, default 3): the clients
 * connect to one server, take a block of rounds, disconnect, and connect to the other. Memory per
 * connection is taken on each side's first measured connect, after one unmeasured connect to each.
 */
async function fanOut(makeEngine: EngineFactory, clients: Clients, n: number, rounds: number): Promise<BenchRow[]> {
  const blocks = ONLY_MEMORY ? 1 : Math.max(1, Number(env("SYNC_BENCH_BLOCKS", "3")));
  const { engine, close } = await makeEngine();
  const channel = `fan-${n}`;
  let value = 0;
  await engine.runMutation({ path: "counters:set", args: { name: channel, value }, identity: none });
  const http = createServer();
  const sync = attachSyncServer(http, {
    engine,
    authenticateUser: async () => {
      throw new Error("no auth in bench");
    },
    checkAdminKey: () => false,
  });
  const port = await listen(http);

  // The ceiling: a bare ws server sending each socket the same Transition-shaped payload.
  const bare = createServer();
  const wss = new WebSocketServer({ server: bare });
  const bport = await listen(bare);
  const payload = (v: number) =>
    `{"type":"Transition","startVersion":{"querySet":1,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":0,"ts":"AAAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,"value":${v},"logLines":[],"journal":null}]}`;

  // One unmeasured connect to each server first (up to 1,000 sockets): what the first connections
  // of a process pay once (compiled code, caches that grow once) is not memory per connection.
  const tandemUrl = `ws://127.0.0.1:${port}/api/1.48.0/sync`;
  const subscribe = { udfPath: "counters:get", args: { name: channel } };
  for (const url of [tandemUrl, `ws://127.0.0.1:${bport}`]) {
    await clients.ask(
      { cmd: "open", url, n: Math.min(n, 1000), subscribe: url === tandemUrl ? subscribe : null },
      "ready",
    );
    await clients.ask({ cmd: "close" }, "closed");
  }
  // A baseline taken while the other side's sockets are still closing would count their memory as
  // freed by the next connect: wait until neither server holds a socket.
  const drained = async () => {
    while (sync.stats().connections > 0 || wss.clients.size > 0) await new Promise((r) => setTimeout(r, 20));
  };

  let perConn = 0;
  let barePerConn = 0;
  /** Server process CPU (all threads) over the measured rounds, µs (the clients have their own process). */
  const cpu = { ours: 0, bare: 0 };
  const ours: number[][] = [];
  const base: number[][] = [];
  const perBlock = ONLY_MEMORY ? 0 : Math.max(1, Math.round(rounds / blocks));
  for (let b = 0; b < blocks; b++) {
    // The first block of each side also runs the unmeasured warm-up rounds (JIT).
    const warm = b === 0 && !ONLY_MEMORY ? WARMUP : 0;

    await drained();
    await settle();
    const memBefore = jsMemory();
    await clients.ask({ cmd: "open", url: tandemUrl, n, subscribe }, "ready");
    if (b === 0) {
      await settle();
      perConn = (jsMemory() - memBefore) / n;
    }
    const mine: number[] = [];
    for (let i = 0; i < warm + perBlock; i++) {
      const t0 = performance.now();
      const c0 = cpuNow();
      const done = clients.ask({ cmd: "expect", value: ++value }, "done");
      await engine.runMutation({ path: "counters:set", args: { name: channel, value }, identity: none });
      await done;
      if (i >= warm) {
        mine.push(performance.now() - t0);
        cpu.ours += cpuNow() - c0;
      }
    }
    ours.push(mine);
    await clients.ask({ cmd: "close" }, "closed");

    await drained();
    await settle();
    const bareBefore = jsMemory();
    await clients.ask({ cmd: "open", url: `ws://127.0.0.1:${bport}`, n, subscribe: null }, "ready");
    if (b === 0) {
      await settle();
      barePerConn = (jsMemory() - bareBefore) / n;
    }
    // Every socket starts at -1 until it gets a value; give them one.
    for (const ws of wss.clients) ws.send(payload(value));
    await clients.ask({ cmd: "expect", value }, "done");
    const theirs: number[] = [];
    for (let i = 0; i < warm + perBlock; i++) {
      const t0 = performance.now();
      const c0 = cpuNow();
      const done = clients.ask({ cmd: "expect", value: ++value }, "done");
      const text = payload(value);
      for (const ws of wss.clients) ws.send(text);
      await done;
      if (i >= warm) {
        theirs.push(performance.now() - t0);
        cpu.bare += cpuNow() - c0;
      }
    }
    base.push(theirs);
    await clients.ask({ cmd: "close" }, "closed");
  }
  await sync.close();
  http.closeAllConnections();
  http.close();
  await close();
  wss.close();
  bare.close();

  if (process.env.SYNC_BENCH_DEBUG)
    console.error(
      "ours",
      ours
        .flat()
        .map((x) => x.toFixed(0))
        .join(" "),
      "\nbase",
      base
        .flat()
        .map((x) => x.toFixed(0))
        .join(" "),
    );
  const row = (p: number): BenchRow => ({
    name: `fan-out to ${n} clients, last client updated, p${p}`,
    value: pct(ours.flat(), p),
    unit: "ms",
    ceiling: { name: "bare ws broadcast", value: pct(base.flat(), p) },
    lowerIsBetter: true,
    ...(p === 99 ? { targetKey: "fanout-p99" as const } : { target: "ratio ≥ 0.5 (≤ 2× the ceiling)" }),
    roundRatios: ours.map((o, k) => roundRatio(pct(o, p), pct(base[k]!, p), true)),
    note: `${perBlock * blocks} mutations in ${blocks} alternating blocks after ${WARMUP} unmeasured`,
  });
  const perSubscriber = (us: number) => us / (perBlock * blocks) / n;
  const cpuRow: BenchRow = {
    name: `fan-out to ${n} clients, server CPU per subscriber update`,
    value: perSubscriber(cpu.ours),
    unit: "µs",
    ceiling: { name: "bare ws broadcast", value: perSubscriber(cpu.bare) },
    lowerIsBetter: true,
    note: "the mutation and the query re-run included; the clients run in another process",
  };
  return [
    ...(ONLY_MEMORY ? [] : [row(50), row(99), cpuRow]),
    {
      name: `memory per idle subscribed connection (${n} connections)`,
      value: perConn / 1024,
      unit: "KiB",
      ceiling: { name: "bare ws connection", value: barePerConn / 1024 },
      lowerIsBetter: true,
      targetKey: "idle-connection-memory",
      note: "JS heap + external, after GC",
    },
  ];
}

// ---- invalidation cost ---------------------------------------------------------------------

async function invalidation(makeEngine: EngineFactory, sizes: number[]): Promise<BenchRow[]> {
  const costs: Array<{ n: number; p50: number; p99: number }> = [];
  for (const n of sizes) {
    const { engine, close } = await makeEngine();
    // Listeners run in registration order: these two bracket the manager's own listener.
    let started = 0;
    const samples: number[] = [];
    engine.onCommit(() => (started = performance.now()));
    const manager = new SubscriptionManager(engine);
    engine.onCommit(() => samples.push(performance.now() - started));
    const subscriber = { invalidated() {} };
    const execs = [];
    for (let i = 0; i < n; i++)
      execs.push(
        manager.acquire({ path: "counters:get", args: { name: `ch${i}` }, identity: none, journal: null }, subscriber),
      );
    for (let i = 0; i < execs.length; i += 500) {
      await Promise.all(execs.slice(i, i + 500).map((e) => manager.resultAt(e, manager.processedTs)));
    }
    samples.length = 0;
    for (let i = 0; i < 200; i++) {
      const ch = (i * 7919) % n;
      await engine.runMutation({ path: "counters:set", args: { name: `ch${ch}`, value: i + 1 }, identity: none });
      await manager.resultAt(execs[ch]!, manager.processedTs); // re-subscribe the touched channel
    }
    costs.push({ n, p50: pct(samples, 50) * 1000, p99: pct(samples, 99) * 1000 });
    manager.close();
    await close();
  }
  const smallest = costs[0]!;
  return costs.map((c) => ({
    name: `invalidation per commit, ${c.n} distinct subscriptions, p50 (p99 ${c.p99.toFixed(1)} µs)`,
    value: c.p50,
    unit: "µs",
    ceiling: { name: `same with ${smallest.n} subscriptions`, value: smallest.p50 },
    lowerIsBetter: true,
    target: "ratio ≥ 0.5 (flat within 2×)",
  }));
}

// ---- mutation → subscriber latency ---------------------------------------------------------

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function latency(makeEngine: EngineFactory, rounds: number): Promise<BenchRow[]> {
  const { engine, close } = await makeEngine();
  const http = createServer();
  const sync = attachSyncServer(http, {
    engine,
    authenticateUser: async () => {
      throw new Error("no auth");
    },
    checkAdminKey: () => false,
  });
  const port = await listen(http);
  const url = `ws://127.0.0.1:${port}/api/1.48.0/sync`;
  const [writer, reader] = await Promise.all([open(url), open(url)]);
  let waiting: { value: number; resolve: () => void } | null = null;
  reader.on("message", (d) => {
    const m = JSON.parse(d.toString()) as { type: string; modifications?: Array<{ value?: unknown }> };
    if (waiting && m.type === "Transition" && m.modifications?.[0]?.value === waiting.value) waiting.resolve();
  });
  const until = (value: number) => new Promise<void>((resolve) => (waiting = { value, resolve }));
  for (const [i, ws] of [writer, reader].entries()) {
    ws.send(
      JSON.stringify({
        type: "Connect",
        sessionId: `lat-${i}`,
        connectionCount: 0,
        lastCloseReason: null,
        clientTs: Date.now(),
      }),
    );
    ws.send(
      JSON.stringify({
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: i === 1 ? [{ type: "Add", queryId: 0, udfPath: "counters:get", args: [{ name: "lat" }] }] : [],
      }),
    );
  }
  await until(0);
  // Ceiling: a bare ws server that, for each Mutation frame, upserts one row with better-sqlite3
  // (WAL + synchronous=NORMAL, one transaction) and then broadcasts the new value to the other
  // sockets in a Transition-shaped frame, then answers the writer: the least any server must do.
  const { default: Database } = await import("better-sqlite3");
  const bareDir = mkdtempSync(join(tmpdir(), "tandem-bench-upsert-"));
  const db = new Database(join(bareDir, "bare.sqlite3"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE counters (name TEXT PRIMARY KEY, value REAL NOT NULL)");
  const upsert = db.prepare(
    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
  );
  const upsertTx = db.transaction((name: string, value: number) => upsert.run(name, value));
  const bare = createServer();
  const wss = new WebSocketServer({ server: bare });
  wss.on("connection", (ws) => {
    ws.on("message", (d) => {
      const m = JSON.parse(d.toString()) as {
        type: string;
        requestId: number;
        args: [{ name: string; value: number }];
      };
      if (m.type !== "Mutation") return;
      const { name, value } = m.args[0];
      upsertTx(name, value);
      const update = `{"type":"Transition","startVersion":{"querySet":1,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":0,"ts":"AAAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,"value":${value},"logLines":[],"journal":null}]}`;
      for (const peer of wss.clients) if (peer !== ws) peer.send(update);
      ws.send(
        `{"type":"MutationResponse","requestId":${m.requestId},"success":true,"result":null,"ts":"AAAAAAAAAAA=","logLines":[]}`,
      );
    });
  });
  const bport = await listen(bare);
  const w = await open(`ws://127.0.0.1:${bport}`);
  const rd = await open(`ws://127.0.0.1:${bport}`);
  await new Promise((r) => setTimeout(r, 20));
  const bareValueOf = (d: WebSocket.RawData) =>
    (JSON.parse(d.toString()) as { modifications?: Array<{ value?: unknown }> }).modifications?.[0]?.value;
  const bareRound = (i: number) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      const on = (d: WebSocket.RawData) => {
        if (bareValueOf(d) !== i) return;
        rd.off("message", on);
        resolve(performance.now() - t0);
      };
      rd.on("message", on);
      w.send(
        JSON.stringify({ type: "Mutation", requestId: i, udfPath: "counters:set", args: [{ name: "lat", value: i }] }),
      );
    });
  const oursRound = async (i: number) => {
    const t0 = performance.now();
    const seen = until(i);
    writer.send(
      JSON.stringify({ type: "Mutation", requestId: i, udfPath: "counters:set", args: [{ name: "lat", value: i }] }),
    );
    await seen;
    return performance.now() - t0;
  };
  // Alternating, one round of each at a time, so both see the same machine speed.
  const ours: number[] = [];
  const base: number[] = [];
  // CPU of the whole process (every thread, the in-process clients too) per round of each: on a
  // loaded machine the threads take turns on the cores, and the wall time follows the CPU.
  let oursCpu = 0;
  let bareCpu = 0;
  const timed = async (round: () => Promise<number>): Promise<[number, number]> => {
    const c = process.cpuUsage();
    const ms = await round();
    const d = process.cpuUsage(c);
    return [ms, d.user + d.system];
  };
  for (let i = 1; i <= WARMUP + rounds; i++) {
    const [a, ac] = await timed(() => oursRound(i));
    const [b, bc] = await timed(() => bareRound(i));
    if (i > WARMUP) {
      ours.push(a);
      base.push(b);
      oursCpu += ac;
      bareCpu += bc;
    }
  }
  writer.terminate();
  reader.terminate();
  await sync.close();
  http.closeAllConnections();
  http.close();
  await close();
  w.terminate();
  rd.terminate();
  wss.close();
  bare.close();
  db.close();
  rmSync(bareDir, { recursive: true, force: true });
  // The spread: the same percentile over groups of rounds.
  const groups = (xs: number[]) => Array.from({ length: 5 }, (_, g) => xs.filter((_, i) => i % 5 === g));
  const spread = (p: number) => groups(ours).map((g, k) => roundRatio(pct(g, p), pct(groups(base)[k]!, p), true));
  return [50, 99].map((p) => ({
    name: `mutation → subscriber update latency, p${p}`,
    value: pct(ours, p),
    unit: "ms",
    ceiling: { name: "bare ws server: 1 better-sqlite3 upsert, then broadcast", value: pct(base, p) },
    lowerIsBetter: true,
    ...(p === 50 ? { targetKey: "mutation-to-subscriber-p50" as const } : {}),
    roundRatios: spread(p),
    note: `${rounds} mutations each, one at a time, alternating; spread over 5 groups; process CPU per mutation ${(oursCpu / rounds).toFixed(0)} µs, bare ${(bareCpu / rounds).toFixed(0)} µs`,
  }));
}

// ---- entry points --------------------------------------------------------------------------

export async function runSyncBench(makeEngine: EngineFactory): Promise<BenchRow[]> {
  const rounds = Number(env("SYNC_BENCH_ROUNDS", "50"));
  const rows: BenchRow[] = [];
  if (ONLY_MEMORY || wanted("fanout")) {
    const clients = await Clients.start();
    try {
      for (const n of list("SYNC_BENCH_FANOUT", "1000,10000"))
        rows.push(...(await fanOut(makeEngine, clients, n, rounds)));
    } finally {
      clients.stop();
    }
  }
  if (ONLY_MEMORY) return rows;
  if (wanted("invalidation"))
    rows.push(...(await invalidation(makeEngine, list("SYNC_BENCH_SUBS", "1000,10000,100000"))));
  if (wanted("latency")) rows.push(...(await latency(makeEngine, Math.max(rounds, 200))));
  return rows;
}

async function defaultFactory(): Promise<EngineFactory> {
  if (env("SYNC_BENCH_ENGINE", "real") === "memory") {
    const { memoryApp } = await import("../packages/backend/test/sync/memory-app.js");
    return async () => ({ engine: memoryApp(), close: async () => {} });
  }
  const { startRealEngine } = await import("../packages/backend/test/sync/real-engine.js");
  const workers = env("SYNC_BENCH_THREADS", "1") !== "0";
  return () => startRealEngine({ workers });
}

export default async function (): Promise<BenchRow[]> {
  return runSyncBench(await defaultFactory());
}

if (process.env.SYNC_BENCH_ROLE === "clients") void clientRole();
