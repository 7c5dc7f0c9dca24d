/** Starts a worker thread from this folder, from compiled JS or (in tests, through tsx) from TS. */
import { Worker } from "node:worker_threads";

const here = new URL(".", import.meta.url);
const fromSource = import.meta.url.endsWith(".ts");

export function spawnThread(name: "worker_main" | "action_worker", workerData: unknown): Worker {
  if (!fromSource) return new Worker(new URL(`./${name}.js`, here), { workerData });
  const entry = JSON.stringify(new URL(`./${name}.ts`, here).href);
  return new Worker(`import("tsx/esm/api").then((api) => { api.register(); return import(${entry}); });`, { eval: true, workerData });
}
