import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fullRange, openSqliteStorage, rangeAfter, type DocumentId } from "../src/index.js";
import { runStorageSuite } from "./suite.js";

runStorageSuite("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tandem-storage-"));
  const path = join(dir, "db.sqlite");
  return {
    open: (o) => openSqliteStorage({ path, readonly: o?.readonly ?? false }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

test("[sqlite] scans with more distinct limits than statements kept per shape return the same rows", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tandem-storage-"));
  const s = await openSqliteStorage({ path: join(dir, "db.sqlite") });
  try {
    await s.ensureTable("t");
    const byN = await s.addIndex("t", "by_n", ["n", "_creationTime", "_id"]);
    const byId = s.indexes("t").find((i) => i.name === "by_id")!;
    for (let n = 0; n < 40; n++) {
      const id = s.newId("t") as DocumentId;
      await s.commit({ writes: [{ id, table: "t", value: { _id: id, _creationTime: 1_700_000_000_000 + n, n } }] });
    }
    const snap = s.snapshot();
    for (const index of [byN, byId])
      for (const order of ["asc", "desc"] as const) {
        const all = (await snap.scan(fullRange(index), order, 1000)).map((e) => e.doc.value);
        assert.equal(all.length, 40);
        // 1…40 and the bounded form (`rangeAfter`): past the statements kept per shape, the bound LIMIT serves.
        for (let limit = 1; limit <= 40; limit++) {
          const page = (await snap.scan(fullRange(index), order, limit)).map((e) => e.doc.value);
          assert.deepEqual(page, all.slice(0, limit), `${index.name} ${order} ${limit}`);
          const first = await snap.scan(fullRange(index), order, 1);
          const rest = (await snap.scan(rangeAfter(fullRange(index), first[0]!.key, order), order, limit)).map(
            (e) => e.doc.value,
          );
          assert.deepEqual(rest, all.slice(1, 1 + limit), `${index.name} ${order} after first, ${limit}`);
        }
      }
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
