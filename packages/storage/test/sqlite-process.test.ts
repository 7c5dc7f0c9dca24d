/** SQLite-specific behaviour: other threads, process crashes, a clock behind the stored head. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Sqlite from "better-sqlite3";
import { nowNanos, openSqliteStorage, type DocumentId } from "../src/index.js";

function tempPath(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tandem-storage-"));
  return { path: join(dir, "db.sqlite"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test("a read-only connection in a worker thread reads what the writer committed", async () => {
  const { path, cleanup } = tempPath();
  const s = await openSqliteStorage({ path });
  await s.ensureTable("t");
  const ids: string[] = [];
  const add = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const id = s.newId("t");
      ids.push(id);
      await s.commit({ writes: [{ id, table: "t", value: { _id: id, _creationTime: ids.length } }] });
    }
  };
  await add(10);
  // Workers don't inherit tsx's loader: register it, then load the TypeScript worker module.
  const script = new URL("./helpers/reader-worker.ts", import.meta.url).href;
  const boot = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(script)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { path } });
  const replies: unknown[] = [];
  let wake: (() => void) | null = null;
  worker.on("message", (m) => {
    replies.push(m);
    wake?.();
  });
  const next = async () => {
    while (!replies.length) await new Promise<void>((r) => (wake = r));
    return replies.shift() as { ts: bigint; ids: string[]; error?: string };
  };
  try {
    assert.equal(await next(), "ready");
    const byCt = s.indexes("t").find((i) => i.name === "by_creation_time")!;
    worker.postMessage({ index: byCt.id });
    const first = await next();
    assert.equal(first.ts, s.latestTs());
    assert.deepEqual(first.ids, ids);
    await add(5);
    const idx = await s.addIndex("t", "by_ct2", ["_creationTime", "_id"]); // created after the reader opened
    worker.postMessage({ index: idx.id });
    const second = await next();
    assert.equal(second.error, undefined);
    assert.deepEqual(second.ids, ids);
  } finally {
    worker.postMessage("close");
    await new Promise((r) => worker.once("exit", r));
    await s.close();
    cleanup();
  }
});

test("every commit acknowledged before kill -9 is there after reopening", async () => {
  const { path, cleanup } = tempPath();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL("./helpers/crash-writer.ts", import.meta.url).pathname, path],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const acked: { id: string; ts: bigint }[] = [];
  let buf = "";
  await new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolve());
    child.stdout.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const line of lines) {
        const [id, ts] = line.split(" ");
        acked.push({ id: id!, ts: BigInt(ts!) });
      }
      if (acked.length >= 200 && child.exitCode === null) child.kill("SIGKILL");
    });
  });
  assert.ok(acked.length >= 200);
  const s = await openSqliteStorage({ path });
  try {
    const snap = s.snapshot();
    assert.ok(snap.ts >= acked.at(-1)!.ts);
    for (const { id, ts } of acked) assert.equal((await snap.get(id as DocumentId))?.ts, ts);
    const last = await s.getMeta("last");
    assert.ok(last !== null && (await snap.get(last as DocumentId)) !== null, "meta and documents agree");
  } finally {
    await s.close();
    cleanup();
  }
});

test("timestamps stay ahead of a stored head that is later than the clock", async () => {
  const { path, cleanup } = tempPath();
  try {
    const s = await openSqliteStorage({ path });
    await s.ensureTable("t");
    await s.close();
    const future = nowNanos() + 3_600_000_000_000n; // as if the clock stepped back an hour
    const raw = new Sqlite(path);
    raw.prepare("UPDATE head SET latest_ts = ?").run(future);
    raw.close();
    const r = await openSqliteStorage({ path });
    assert.equal(r.latestTs(), future);
    const id = r.newId("t") as DocumentId;
    const { ts } = await r.commit({ writes: [{ id, table: "t", value: { _id: id, _creationTime: 1 } }] });
    assert.equal(ts, future + 1n);
    await r.close();
  } finally {
    cleanup();
  }
});

test("opening a missing file read-only fails; the writer puts the file in WAL mode", async () => {
  const { path, cleanup } = tempPath();
  try {
    await assert.rejects(openSqliteStorage({ path, readonly: true }));
    const s = await openSqliteStorage({ path });
    await s.close();
    const raw = new Sqlite(path, { readonly: true });
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    raw.close();
  } finally {
    cleanup();
  }
});
