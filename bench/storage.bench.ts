/**
 * Storage commits/s for a one-document insert through `Storage.commit`, against the ceiling of a
 * raw better-sqlite3 transaction inserting the same JSON with the same pragmas (WAL +
 * synchronous=NORMAL), in the same run. Also point reads: `snapshot().get` vs a primary-key SELECT.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { openSqliteStorage, type DocumentId } from "@tandem/storage";
import type { BenchRow } from "./report.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function rate(fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

const body = (i: number) => ({ author: "bench", body: `message number ${i}`, channel: "general", n: i });

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "tandem-bench-storage-"));
  try {
    // Raw ceiling: one row per transaction, same JSON, same durability.
    const raw = new Sqlite(join(dir, "raw.sqlite"));
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = NORMAL");
    raw.exec("CREATE TABLE docs (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID");
    const insert = raw.prepare("INSERT INTO docs (id, json) VALUES (?, ?)");
    const select = raw.prepare("SELECT json FROM docs WHERE id = ?");
    const rawIds: string[] = [];
    let i = 0;
    const rawInsert = raw.transaction((id: string, json: string) => insert.run(id, json));
    const rawCommits = await rate(() => {
      const id = randomUUID();
      rawIds.push(id);
      rawInsert(id, JSON.stringify({ _id: id, _creationTime: Date.now(), ...body(i++) }));
    });

    const storage = await openSqliteStorage({ path: join(dir, "tandem.sqlite") });
    await storage.ensureTable("messages");
    await storage.addIndex("messages", "by_channel", ["channel", "_creationTime", "_id"]);
    const ids: DocumentId[] = [];
    i = 0;
    const commits = await rate(async () => {
      const id = storage.newId("messages");
      ids.push(id);
      await storage.commit({
        writes: [{ id, table: "messages", value: { _id: id, _creationTime: Date.now(), ...body(i++) } }],
      });
    });

    let r = 0;
    const rawGets = await rate(() => JSON.parse((select.get(rawIds[r++ % rawIds.length]!) as { json: string }).json));
    r = 0;
    const gets = await rate(() => storage.snapshot().get(ids[r++ % ids.length]!));
    await storage.close();
    raw.close();
    return [
      {
        name: "storage commit, 1-doc insert (3 indexes)",
        value: commits,
        unit: "commits/s",
        ceiling: { name: "raw better-sqlite3 1-row txn, WAL+NORMAL", value: rawCommits },
        target: "≥ 0.5",
      },
      {
        name: "storage snapshot().get by id",
        value: gets,
        unit: "reads/s",
        ceiling: { name: "raw better-sqlite3 SELECT by primary key + JSON.parse", value: rawGets },
        target: "≥ 0.5",
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
