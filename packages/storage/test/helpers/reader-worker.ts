/** A worker thread holding a read-only connection; answers scan requests from the test. */
import { parentPort, workerData } from "node:worker_threads";
import { fullRange, openSqliteStorage, type IndexId } from "../../src/index.js";

const storage = await openSqliteStorage({ path: (workerData as { path: string }).path, readonly: true });
parentPort!.on("message", async (msg: { index: number } | "close") => {
  if (msg === "close") {
    await storage.close();
    parentPort!.close();
    return;
  }
  try {
    const snap = storage.snapshot();
    const entries = await snap.scan(fullRange({ id: msg.index as IndexId }), "asc", 1_000_000);
    parentPort!.postMessage({ ts: snap.ts, ids: entries.map((e) => e.doc.id) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
parentPort!.postMessage("ready");
