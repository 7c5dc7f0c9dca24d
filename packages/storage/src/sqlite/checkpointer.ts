/**
 * WAL checkpoints in a background thread. A checkpoint copies the WAL back into the database file
 * and syncs it; run by the writer (SQLite's default, every 1000 pages) it stalled every commit
 * behind a file sync. Here a thread with its own connection runs PASSIVE checkpoints (they never
 * block the writer) every `intervalMs`; the writer's own automatic checkpoint stays on as a
 * backstop at a much larger WAL, for when this thread cannot keep up.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** Pages the WAL may reach before the writer checkpoints by itself. */
export const WRITER_CHECKPOINT_PAGES = 20_000;

export interface Checkpointer {
  stop(): Promise<void>;
}

const THREAD = `
const { workerData, parentPort } = require("node:worker_threads");
const Sqlite = require(workerData.driver);
const db = new Sqlite(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // busy or closing: the next pass (or the writer's backstop) catches up
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(path: string, intervalMs: number): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(THREAD, { eval: true, workerData: { path, intervalMs, driver } });
  worker.unref();
  // A failing checkpointer only means the writer checkpoints by itself again.
  worker.on("error", () => {});
  return {
    stop: async () => {
      worker.postMessage("stop");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().finally(resolve), 2000);
        worker.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
