/** Starts a worker thread from this folder, from compiled JS or (in tests, through tsx) from TS. */
import { Worker } from "node:worker_threads";

const here = new URL(".", import.meta.url);
const fromSource = import.meta.url.endsWith(".ts");

export function spawnThread(name: "worker-main" | "action-worker", workerData: unknown): Worker {
  // An action thread's process.env holds the deployment's variables only (npm packages of
  // "use node" modules read it directly), never the server's own environment.
  const env = name === "action-worker" ? { env: {} } : {};
  if (!fromSource) return new Worker(new URL(`./${name}.js`, here), { workerData, ...env });
  const entry = JSON.stringify(new URL(`./${name}.ts`, here).href);
  return new Worker(`import("tsx/esm/api").then((api) => { api.register(); return import(${entry}); });`, {
    eval: true,
    workerData,
    ...env,
  });
}

export interface ThreadHandlers<M> {
  message(m: M): void;
  error(e: Error): void;
  exit(): void;
}

/**
 * Wires a thread that its pool may replace: its events count only while `isCurrent()` says it is
 * still the slot's thread. Sends `hello` (deployment, environment) first; never keeps the process up.
 */
export function attachThread<M>(
  worker: Worker,
  isCurrent: () => boolean,
  on: ThreadHandlers<M>,
  hello: readonly unknown[],
): void {
  worker.on("message", (m: M) => {
    if (isCurrent()) on.message(m);
  });
  worker.on("error", (e: Error) => {
    if (isCurrent()) on.error(e);
  });
  worker.on("exit", () => {
    if (isCurrent()) on.exit();
  });
  for (const m of hello) worker.postMessage(m);
  worker.unref();
}
