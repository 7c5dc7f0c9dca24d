/**
 * CPU time per request of two builds of Tandem side by side (issue 21): each checkout's own
 * `bench/http.bench.ts` tandem role (its own `dist/`) runs as a child; both get the bench app and
 * the same seed, then alternate rounds of a fixed number of requests (8 in flight) so both see the
 * same machine load. Prints CPU µs per request (all threads, then main / function threads / node
 * runtime) of each, and the ratio. For loaded machines where wall-clock figures mean nothing.
 *
 *   node --import tsx bench/cpu-ab.ts <checkout A> <checkout B> [insert|point|range|ws-insert] [requests per round] [rounds]
 *
 * CPU_AB_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for both servers (a profile
 * per thread, written when the server stops).
 */
import { fork, type ChildProcess } from "node:child_process";
import { Agent } from "node:http";
import { join } from "node:path";
import WebSocket from "ws";
import { postFunction } from "./http-call.js";
import { addThreadDelta, cpuReading, pushApp } from "./backend-process.js";

const CONCURRENCY = 8;
const SERVER_FLAGS = (process.env.CPU_AB_SERVER_FLAGS ?? "").split(" ").filter(Boolean);
const ROWS = 2000;
type Row = "insert" | "point" | "range" | "ws-insert";

const body = (path: string, args: unknown) => JSON.stringify({ path, format: "convex_encoded_json", args: [args] });

interface Side {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly agent: Agent;
  sockets: WebSocket[];
  count: number;
  cpu: number;
  threads: Record<string, number>;
}

function start(checkout: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(checkout, "bench", "http.bench.ts"), [], {
    cwd: checkout,
    // The query work itself: with the cache on, repeated queries would not run (checkouts without it ignore this).
    env: { ...process.env, HTTP_BENCH_ROLE: "tandem", BENCH_QUERY_CACHE: process.env.BENCH_QUERY_CACHE ?? "off" },
    execArgv: ["--import", "tsx", ...SERVER_FLAGS],
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve({ child, url: m.url }));
    child.once("exit", (code) => reject(new Error(`${checkout}: server exited with ${code}`)));
  });
}

let counter = ROWS;
function call(row: Row, s: Side, socket: number): Promise<unknown> {
  const i = counter++;
  switch (row) {
    case "insert":
      return postFunction(s.agent, s.url, "/api/mutation", body("items:insert", { n: i, text: `item ${i}` }));
    case "point":
      return postFunction(s.agent, s.url, "/api/query", body("items:byN", { n: i % ROWS }));
    case "range":
      return postFunction(s.agent, s.url, "/api/query", body("items:range", { from: i % (ROWS - 100) }));
    case "ws-insert":
      return wsMutation(s.sockets[socket]!, i);
    default:
      return row satisfies never;
  }
}

let requestId = 0;
function wsMutation(ws: WebSocket, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = ++requestId;
    const on = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!text.startsWith('{"type":"MutationResponse"')) return;
      ws.off("message", on);
      if (text.includes('"success":true')) resolve();
      else reject(new Error(text.slice(0, 300)));
    };
    ws.on("message", on);
    ws.send(`{"type":"Mutation","requestId":${id},"udfPath":"items:insert","args":[{"n":${n},"text":"item ${n}"}]}`);
  });
}

async function openSockets(url: string): Promise<WebSocket[]> {
  return Promise.all(
    Array.from(
      { length: CONCURRENCY },
      (_, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url.replace(/^http/, "ws") + "/api/1.48.0/sync");
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
}

async function round(row: Row, s: Side, n: number, measure: boolean): Promise<void> {
  const before = measure ? await cpuReading(s.child) : null;
  let left = n;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, k) => {
      while (left-- > 0) await call(row, s, k);
    }),
  );
  if (!before) return;
  const after = await cpuReading(s.child);
  s.count += n;
  s.cpu += after.total - before.total;
  addThreadDelta(s.threads, before.threads, after.threads);
}

async function main(): Promise<void> {
  const [a, b, rowArg = "range", perRound = "300", roundsArg = "10"] = process.argv.slice(2);
  if (!a || !b) throw new Error("usage: cpu-ab.ts <checkout A> <checkout B> [row] [requests per round] [rounds]");
  const row = rowArg as Row;
  const sides: Side[] = [];
  try {
    for (const checkout of [a, b]) {
      const { child, url } = await start(checkout);
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      sides.push({ name: checkout, child, url, agent, sockets: [], count: 0, cpu: 0, threads: {} });
    }
    for (const s of sides) {
      await pushApp(s.url);
      for (let from = 0; from < ROWS; from += 500)
        await postFunction(s.agent, s.url, "/api/mutation", body("items:seed", { from, count: 500 }));
      if (row === "ws-insert") s.sockets = await openSockets(s.url);
      await round(row, s, Number(perRound), false); // warm-up: JIT
    }
    for (let r = 0; r < Number(roundsArg); r++) for (const s of sides) await round(row, s, Number(perRound), true);
    const perOp = (s: Side) => s.cpu / s.count;
    for (const s of sides) {
      const threads = Object.entries(s.threads)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${(v / s.count).toFixed(0)}`)
        .join(", ");
      console.log(`${row} ${s.name}: ${perOp(s).toFixed(0)} µs CPU per request (${s.count}); ${threads}`);
    }
    console.log(`${row}: B/A = ${(perOp(sides[1]!) / perOp(sides[0]!)).toFixed(3)}`);
  } finally {
    for (const s of sides) {
      for (const ws of s.sockets) ws.terminate();
      s.agent.destroy();
    }
    // Waits for the servers to stop, so profiles (CPU_AB_SERVER_FLAGS) are written.
    await Promise.all(sides.map((s) => new Promise((resolve) => s.child.once("exit", resolve).kill())));
  }
}

await main();
