/**
 * Instructions per request of the Tandem server, counted by `valgrind --tool=callgrind` (issue 21):
 * on a loaded 2-core machine CPU time per request moves by more than the changes worth measuring,
 * an instruction count does not. The server runs under callgrind in a child process; after a
 * warm-up the counters are zeroed, a fixed number of requests is sent (8 in flight), and the
 * counts are dumped per thread.
 *
 *   node --import tsx bench/instructions.ts [insert|point|range|ws-insert] [requests]
 *
 * Prints total Ir per request and by thread (thread 1 is the main thread; function threads are
 * the next ones the backend starts). Under valgrind threads run one at a time, so a run of 500
 * requests takes a few minutes. Knobs: INSTR_WARMUP=300, INSTR_CONCURRENCY=8, INSTR_NODE_FLAGS
 * (default `--interrupt-budget=4096`: V8 optimizes a function after it ran about 200 KB of
 * bytecode, which a function called once per request reaches only after thousands of requests;
 * a sixteenth of that budget lets the warm-up reach the optimized code a long run settles into,
 * instead of counting interpreter and baseline code and the compiler threads' work).
 *
 * A loaded machine can make a function overrun its time limit under valgrind; raise the limits in
 * the built backend for such runs only (`UDF_TIMEOUT_MS` in `dist/runtime/invoke.js`,
 * `STARTUP_LIMIT_MS` in `dist/runtime/worker/pool.js`); `npm run build` puts them back.
 */
import { spawn, spawnSync } from "node:child_process";
import { Agent } from "node:http";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { postFunction } from "./http-call.js";
import { pushApp, tandemRole } from "./backend-process.js";

const WARMUP = Number(process.env.INSTR_WARMUP ?? 300);
const CONCURRENCY = Number(process.env.INSTR_CONCURRENCY ?? 8);
const NODE_FLAGS = (process.env.INSTR_NODE_FLAGS ?? "--interrupt-budget=4096").split(" ").filter(Boolean);
const ROWS = 1000;
/** Small seeding mutations: under valgrind a 500-insert mutation overruns the 1 s limit. */
const SEED_BATCH = 20;

type Row = "insert" | "point" | "range" | "ws-insert";

const body = (path: string, args: unknown) => JSON.stringify({ path, format: "convex_encoded_json", args: [args] });

let counter = ROWS;
function httpCall(row: Exclude<Row, "ws-insert">, agent: Agent, url: string): Promise<string> {
  const i = counter++;
  switch (row) {
    case "insert":
      return postFunction(agent, url, "/api/mutation", body("items:insert", { n: i, text: `item ${i}` }));
    case "point":
      return postFunction(agent, url, "/api/query", body("items:byN", { n: i % ROWS }));
    case "range":
      return postFunction(agent, url, "/api/query", body("items:range", { from: i % (ROWS - 100) }));
    default:
      return row satisfies never;
  }
}

async function httpRequests(row: Exclude<Row, "ws-insert">, url: string, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await httpCall(row, agent, url);
    }),
  );
  agent.destroy();
}

async function wsSockets(url: string): Promise<WebSocket[]> {
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

let requestId = 0;
async function wsRequests(sockets: WebSocket[], count: number): Promise<void> {
  let left = count;
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          const send = () => {
            if (left-- <= 0) {
              ws.off("message", onMessage);
              resolve();
              return;
            }
            const n = counter++;
            ws.send(
              `{"type":"Mutation","requestId":${++requestId},"udfPath":"items:insert","args":[{"n":${n},"text":"item ${n}"}]}`,
            );
          };
          const onMessage = (data: WebSocket.RawData) => {
            const text = data.toString();
            if (!text.startsWith('{"type":"MutationResponse"')) return;
            if (!text.includes('"success":true')) reject(new Error(text.slice(0, 300)));
            else send();
          };
          ws.on("message", onMessage);
          send();
        }),
    ),
  );
}

/** `summary:` (or `totals:`) of each per-thread dump: Ir by thread number. */
function readDumps(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of readdirSync(dir)) {
    const m = /-(\d+)$/.exec(f);
    if (!m) continue;
    const text = readFileSync(join(dir, f), "utf8");
    const s = /^(?:summary|totals): (\d+)/m.exec(text);
    if (s) out.set(Number(m[1]), (out.get(Number(m[1])) ?? 0) + Number(s[1]));
  }
  return out;
}

async function main(): Promise<void> {
  const row = (process.argv[2] ?? "range") as Row;
  const count = Number(process.argv[3] ?? 500);
  const dir = mkdtempSync(join(tmpdir(), "tandem-callgrind-"));
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--separate-threads=yes",
      "--smc-check=all-non-file",
      `--callgrind-out-file=${join(dir, "cg.out")}`,
      process.execPath,
      ...NODE_FLAGS,
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
    ],
    // Instructions of the query work itself: every query runs (the cache off).
    {
      env: { ...process.env, INSTR_ROLE: "tandem", BENCH_QUERY_CACHE: process.env.BENCH_QUERY_CACHE ?? "off" },
      stdio: ["inherit", "inherit", "pipe", "ipc"],
    },
  );
  child.stderr!.on("data", () => {}); // valgrind's banner
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve(m.url));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  try {
    await pushApp(url);
    const seedAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    if (row === "point" || row === "range")
      for (let from = 0; from < ROWS; from += SEED_BATCH)
        await postFunction(seedAgent, url, "/api/mutation", body("items:seed", { from, count: SEED_BATCH }));
    seedAgent.destroy();
    const sockets = row === "ws-insert" ? await wsSockets(url) : [];
    const run = (n: number) => (row === "ws-insert" ? wsRequests(sockets, n) : httpRequests(row, url, n));
    await run(WARMUP);
    spawnSync("callgrind_control", ["-z", String(child.pid)], { stdio: "ignore" });
    await run(count);
    spawnSync("callgrind_control", ["-d", String(child.pid)], { stdio: "ignore" });
    for (const ws of sockets) ws.terminate();
    const byThread = readDumps(dir);
    const total = [...byThread.values()].reduce((a, b) => a + b, 0);
    const threads = [...byThread.entries()]
      .sort((a, b) => a[0] - b[0])
      .filter(([, v]) => v / count >= 1000)
      .map(([t, v]) => `${t === 1 ? "main" : `t${t}`} ${Math.round(v / count / 1000)}k`)
      .join(", ");
    console.log(`${row}: ${Math.round(total / count / 1000)}k instructions per request (${count}); ${threads}`);
    console.log(`callgrind dumps (for callgrind_annotate): ${dir}`);
  } finally {
    child.kill("SIGKILL");
  }
}

if (process.env.INSTR_ROLE === "tandem") await tandemRole();
else await main();
