/**
 * A CPU profile of every thread of one Tandem server while it answers one row's requests (issue
 * 21): the server (`bench/http.bench.ts` tandem role of this checkout) runs with `--cpu-prof`;
 * after seeding and a warm-up it idles 1.5 s, then answers the counted requests (8 in flight).
 * `bench/profile-summary.ts` reads a profile from that idle gap on.
 *
 *   node --import tsx bench/profile-row.ts <profile dir> [insert|point|range] [requests]
 */
import { fork } from "node:child_process";
import { Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { postFunction } from "./http-call.js";
import { pushApp } from "./backend-process.js";

const CONCURRENCY = 8;
const ROWS = 2000;
type Row = "insert" | "point" | "range";
const body = (path: string, args: unknown) => JSON.stringify({ path, format: "convex_encoded_json", args: [args] });

const [dir, rowArg = "range", countArg = "2000"] = process.argv.slice(2);
if (!dir) throw new Error("usage: profile-row.ts <profile dir> [row] [requests]");
const row = rowArg as Row;
const child = fork(new URL("./http.bench.ts", import.meta.url), [], {
  env: { ...process.env, HTTP_BENCH_ROLE: "tandem", BENCH_QUERY_CACHE: "off" },
  execArgv: ["--import", "tsx", "--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=100"],
  stdio: "inherit",
});
const url = await new Promise<string>((resolve, reject) => {
  child.once("message", (m: { url: string }) => resolve(m.url));
  child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
});
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let counter = ROWS;
function call(): Promise<unknown> {
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
async function requests(n: number): Promise<void> {
  let left = n;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await call();
    }),
  );
}
try {
  await pushApp(url);
  for (let from = 0; from < ROWS; from += 500)
    await postFunction(agent, url, "/api/mutation", body("items:seed", { from, count: 500 }));
  await requests(500);
  await sleep(1500);
  const t = performance.now();
  await requests(Number(countArg));
  console.log(`${row}: ${countArg} requests in ${(performance.now() - t).toFixed(0)} ms`);
} finally {
  agent.destroy();
  await new Promise((resolve) => child.once("exit", resolve).kill());
}
