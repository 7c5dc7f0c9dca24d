/**
 * The raw cost of a thread hop on this machine, for reading the sync latency breakdown
 * (bench/README.md): round trips main → worker → main over `parentPort`, a `MessageChannel`, and
 * `Atomics.wait`/`notify` on a SharedArrayBuffer (the worker blocked, the main thread woken by
 * `Atomics.waitAsync`), then how long `postMessage` itself takes when the woken thread runs a
 * 0.3 ms job, and how often the main thread was preempted meanwhile.
 *
 *   node --import tsx bench/thread-hop.ts        (HOP_ROUNDS=3000)
 */
import { readFileSync } from "node:fs";
import { MessageChannel, Worker } from "node:worker_threads";

const N = Number(process.env.HOP_ROUNDS ?? 3000);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const preempted = () =>
  Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${process.pid}/status`, "utf8"))![1]);

const worker = `
const { parentPort, workerData } = require("node:worker_threads");
const mode = workerData.mode;
if (mode === "port") parentPort.on("message", (m) => parentPort.postMessage(m));
else if (mode === "channel") parentPort.once("message", (p) => p.on("message", (m) => p.postMessage(m)));
else if (mode === "job") parentPort.on("message", (m) => { const t = performance.now(); while (performance.now() - t < 0.3); parentPort.postMessage(m); });
else {
  const a = new Int32Array(workerData.sab);
  let seen = 0;
  for (;;) { Atomics.wait(a, 0, seen); seen = Atomics.load(a, 0); if (seen < 0) break; Atomics.store(a, 1, seen); Atomics.notify(a, 1); }
}`;

type Mode = "port" | "channel" | "atomics";

/** `Atomics.waitAsync` (Node 16+; not in this project's TypeScript lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync;

async function roundTrips(mode: Mode): Promise<number[]> {
  const sab = new SharedArrayBuffer(8);
  const w = new Worker(worker, { eval: true, workerData: { mode, sab } });
  const a = new Int32Array(sab);
  let rtt: () => Promise<unknown>;
  if (mode === "atomics") {
    let seq = 0;
    rtt = async () => {
      Atomics.store(a, 0, ++seq);
      Atomics.notify(a, 0);
      const r = waitAsync(a, 1, seq - 1);
      if (r.async) await r.value;
    };
  } else {
    let port: Worker | MessageChannel["port1"] = w;
    if (mode === "channel") {
      const { port1, port2 } = new MessageChannel();
      w.postMessage(port2, [port2]);
      port = port1;
    }
    const p = port;
    rtt = () => new Promise((r) => (p.once("message", r), p.postMessage(1)));
  }
  for (let i = 0; i < 300; i++) await rtt();
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await rtt();
    xs.push((performance.now() - t) * 1000);
  }
  if (mode === "atomics") (Atomics.store(a, 0, -1), Atomics.notify(a, 0));
  await w.terminate();
  return xs;
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
console.log(`load average ${load()}, ${N} round trips per transport, 3 alternating blocks`);
const modes: Mode[] = ["port", "channel", "atomics"];
const all = new Map<Mode, number[]>(modes.map((m) => [m, []]));
for (let b = 0; b < 3; b++) for (const m of modes) all.get(m)!.push(...(await roundTrips(m)));
for (const [m, xs] of all)
  console.log(
    `${m.padEnd(8)} round trip µs: p50 ${pct(xs, 50).toFixed(1)}  p90 ${pct(xs, 90).toFixed(1)}  p99 ${pct(xs, 99).toFixed(1)}`,
  );

const w = new Worker(worker, { eval: true, workerData: { mode: "job" } });
const call: number[] = [];
const before = preempted();
for (let i = 0; i < N / 3; i++) {
  const done = new Promise((r) => w.once("message", r));
  const t = performance.now();
  w.postMessage(i);
  call.push((performance.now() - t) * 1000);
  await done;
}
console.log(
  `postMessage call with a 0.3 ms job on the woken thread, µs: p50 ${pct(call, 50).toFixed(1)}  p90 ${pct(call, 90).toFixed(1)}; main thread preempted ${preempted() - before} times in ${Math.floor(N / 3)} posts; load ${load()}`,
);
await w.terminate();
