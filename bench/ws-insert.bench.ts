/**
 * WebSocket insert mutations (issue 21), beside a same-run ceiling (docs/architecture.md#measuring-speed):
 * 50 writers, one socket each, each sending its next `Mutation` frame when the previous one's
 * `MutationResponse` arrives. The load generator speaks the sync protocol itself in raw `ws`
 * frames (`Connect`, then `Mutation`s), so the figure is the server's and not a client library's.
 * The ceiling is a bare `ws` server that parses the same frame, inserts one row with better-sqlite3
 * (WAL + synchronous=NORMAL, one transaction per message) and answers a `MutationResponse`-shaped
 * frame. Both servers run in child processes and are measured in alternating rounds.
 * Knobs: WS_BENCH_SECONDS=8 (per server), WS_BENCH_ROUNDS=8, WS_BENCH_WRITERS=50,
 * WS_BENCH_SERVER_FLAGS="--cpu-prof" (node flags for Tandem's process), BENCH_FUNCTION_THREADS.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket, { WebSocketServer } from "ws";
import { roundRatio, type BenchRow } from "./report.js";
import {
  addThreadDelta,
  answerCpuReadings,
  cpuReading,
  pushApp,
  startChild,
  tandemRole,
  type Server,
} from "./backend-process.js";

const SECONDS = Number(process.env.WS_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.WS_BENCH_ROUNDS ?? 8);
const WRITERS = Number(process.env.WS_BENCH_WRITERS ?? 50);
const SERVER_FLAGS = (process.env.WS_BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean);

async function bareRole(): Promise<void> {
  const { default: Database } = await import("better-sqlite3");
  const dir = await mkdtemp(join(tmpdir(), "tandem-bench-bare-ws-"));
  const db = new Database(join(dir, "bare.sqlite3"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n REAL NOT NULL, text TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO items (n, text) VALUES (?, ?)");
  const insertTx = db.transaction((n: number, text: string) => insert.run(n, text).lastInsertRowid);
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString()) as { type: string; requestId: number; args: [{ n: number; text: string }] };
      if (m.type !== "Mutation") return;
      const id = insertTx(m.args[0].n, m.args[0].text);
      ws.send(
        JSON.stringify({
          type: "MutationResponse",
          requestId: m.requestId,
          success: true,
          result: String(id),
          ts: "AAAAAAAAAAA=",
          logLines: [],
        }),
      );
    });
  });
  answerCpuReadings();
  http.listen(0, "127.0.0.1", () => process.send!({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` }));
}

/** 50 open sockets to one server; `run` drives them for a while and counts the answers. */
class Writers {
  private constructor(
    private readonly sockets: WebSocket[],
    private next: number,
  ) {}

  static async open(url: string, first: number): Promise<Writers> {
    const wsUrl = url.replace(/^http/, "ws") + "/api/1.48.0/sync";
    const sockets = await Promise.all(
      Array.from(
        { length: WRITERS },
        (_, i) =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(wsUrl);
            ws.once("error", reject);
            ws.once("open", () => {
              ws.send(
                JSON.stringify({
                  type: "Connect",
                  sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
                  connectionCount: 0,
                  lastCloseReason: "InitialConnect",
                  clientTs: Date.now(),
                }),
              );
              resolve(ws);
            });
          }),
      ),
    );
    return new Writers(sockets, first);
  }

  /** Each socket in a closed loop for `seconds` (after a warm-up); answers/s and CPU readings. */
  async run(server: Server, seconds: number) {
    let done = 0;
    let measuring = false;
    let stop = false;
    let failed: Error | null = null;
    const finished = this.sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          let requestId = 0;
          const send = () => {
            const n = this.next++;
            ws.send(
              `{"type":"Mutation","requestId":${++requestId},"udfPath":"items:insert","args":[{"n":${n},"text":"item ${n}"}]}`,
            );
          };
          const onMessage = (data: WebSocket.RawData) => {
            const text = data.toString();
            if (!text.startsWith('{"type":"MutationResponse"')) return; // Transitions and pings
            if (!text.includes('"success":true')) failed ??= new Error(`mutation failed: ${text.slice(0, 300)}`);
            if (measuring) done++;
            if (stop || failed) {
              ws.off("message", onMessage);
              resolve();
            } else send();
          };
          ws.on("message", onMessage);
          send();
        }),
    );
    await new Promise((r) => setTimeout(r, 400)); // warm-up: JIT
    const cpu0 = await cpuReading(server.child);
    measuring = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const counted = done;
    const cpu1 = await cpuReading(server.child);
    stop = true;
    await Promise.all(finished);
    if (failed) throw failed;
    const threads: Record<string, number> = {};
    addThreadDelta(threads, cpu0.threads, cpu1.threads);
    return { count: counted, seconds: elapsed, cpu: cpu1.total - cpu0.total, threads };
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}

export default async function wsInsertBench(): Promise<BenchRow[]> {
  const file = fileURLToPath(import.meta.url);
  const tandem = await startChild(file, "WS_BENCH_ROLE", "tandem", SERVER_FLAGS);
  const bare = await startChild(file, "WS_BENCH_ROLE", "bare");
  try {
    await pushApp(tandem.url);
    const writers = { tandem: await Writers.open(tandem.url, 0), bare: await Writers.open(bare.url, 0) };
    const sum = () => ({ count: 0, seconds: 0, cpu: 0, rounds: [] as number[], threads: {} as Record<string, number> });
    const totals = { tandem: sum(), bare: sum() };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, server] of [
        ["tandem", tandem],
        ["bare", bare],
      ] as const) {
        const w = await writers[name].run(server, SECONDS / ROUNDS);
        const t = totals[name];
        t.count += w.count;
        t.seconds += w.seconds;
        t.cpu += w.cpu;
        t.rounds.push(w.count / w.seconds);
        for (const [k, v] of Object.entries(w.threads)) t.threads[k] = (t.threads[k] ?? 0) + v;
      }
    }
    writers.tandem.close();
    writers.bare.close();
    const byThread = Object.entries(totals.tandem.threads)
      .map(([k, v]) => [k, v / totals.tandem.count] as const)
      .filter(([, v]) => v >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(", ");
    return [
      {
        name: `insert mutations over the sync WebSocket (${WRITERS} writers, one socket each, raw protocol frames)`,
        value: totals.tandem.count / totals.tandem.seconds,
        unit: "mutations/s",
        ceiling: {
          name: "bare ws + better-sqlite3, WAL + synchronous=NORMAL, 1 tx per message",
          value: totals.bare.count / totals.bare.seconds,
        },
        targetKey: "ws-insert",
        roundRatios: totals.tandem.rounds.map((x, i) => roundRatio(x, totals.bare.rounds[i]!)),
      },
      {
        name: "server CPU time per WebSocket insert mutation (all threads)",
        value: totals.tandem.cpu / totals.tandem.count,
        unit: "µs",
        lowerIsBetter: true,
        ceiling: { name: "the bare ws server", value: totals.bare.cpu / totals.bare.count },
        note: `by thread: ${byThread}`,
      },
    ];
  } finally {
    tandem.child.kill();
    bare.child.kill();
  }
}

const role = process.env.WS_BENCH_ROLE;
if (role === "tandem") await tandemRole();
else if (role === "bare") await bareRole();
