/**
 * The background checkpointer copies committed pages from the WAL into the database file while the
 * writer keeps writing (checked on a copy of the database file alone, without its WAL).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { openSqliteStorage, type DocumentId } from "../src/index.js";

/** Documents in the database file alone (not counting the WAL). */
function documentsInFile(path: string): number {
  const copy = `${path}.copy`;
  copyFileSync(path, copy);
  const db = new Sqlite(copy, { readonly: true });
  try {
    // Even the schema may still be only in the WAL.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'documents'").get()) return 0;
    return Number((db.prepare("SELECT count(*) AS n FROM documents").get() as { n: number }).n);
  } catch (e) {
    // A copy taken while the checkpointer was writing pages can be torn: not settled yet, look again.
    if ((e as { code?: string }).code === "SQLITE_CORRUPT") return -1;
    throw e;
  } finally {
    db.close();
  }
}

/** Inserts `count` documents, then reports what the database file holds once `settled` says so. */
async function insertMany(
  path: string,
  checkpointIntervalMs: number,
  count: number,
  settled: (n: number) => boolean,
): Promise<number> {
  const s = await openSqliteStorage({ path, checkpointIntervalMs });
  try {
    await s.ensureTable("t");
    for (let i = 0; i < count; i++) {
      const id = s.newId("t") as DocumentId;
      await s.commit({ writes: [{ id, table: "t", value: { _id: id, _creationTime: 1 + i, i } }] });
    }
    // Polled rather than one fixed wait: a loaded machine may take a while to run the thread.
    const deadline = Date.now() + 10_000;
    let n = documentsInFile(path);
    while (!settled(n) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      n = documentsInFile(path);
    }
    return n;
  } finally {
    await s.close();
  }
}

test("a background thread checkpoints the WAL into the database file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tandem-ckpt-"));
  try {
    assert.equal(await insertMany(join(dir, "bg.sqlite"), 50, 200, (n) => n === 200), 200);
    // Without it (and far below the writer's own threshold) the rows are still only in the WAL.
    assert.equal(await insertMany(join(dir, "off.sqlite"), 0, 60, () => true), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
