/**
 * The sweeper removes bytes no `_storage` row refers to — a mutation that stored a file and then
 * failed, a row deleted while nothing watched — but leaves young bytes alone (their row may be on
 * its way) and never touches bytes whose row exists. The clock is injected.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { silentLogger } from "@tandem/shared";
import { openSqliteStorage, type CommitRequest } from "@tandem/storage";
import { FileStorage, type BlobKey } from "../../src/files/index.js";
import { SWEEP_GRACE_MS } from "../../src/files/file-storage.js";
import { blobKeyOf } from "../../src/files/storage-id.js";
import { tempDir } from "../server/fixture.js";

test("sweep: orphans past the grace period go, young ones and referenced ones stay", async () => {
  const dir = await tempDir("sweeper");
  const storage = await openSqliteStorage({ path: join(dir, "db.sqlite3") });
  let now = Date.now();
  const files = new FileStorage({
    storage,
    blobs: { kind: "disk", root: join(dir, "files") },
    secret: randomBytes(32),
    limitBytes: 1 << 20,
    logger: silentLogger,
    now: () => now,
  });
  const stop = files.attach(
    { commitExternal: (r: CommitRequest) => storage.commit(r), catalogChanged: () => {}, onCommit: () => () => {} },
    "http://127.0.0.1:1",
  );
  try {
    const kept = await files.store([Buffer.from("has a row")], "text/plain");
    // Bytes without a row, as a failed mutation's `storage.store` leaves them.
    await storage.ensureTable("_storage");
    const orphan = blobKeyOf(storage.newId("_storage"));
    await files.blobs.put(orphan, [Buffer.from("no row")], 1 << 20);
    const keys = async () => {
      const out: BlobKey[] = [];
      for await (const { key } of files.blobs.list()) out.push(key);
      return out.sort();
    };
    assert.equal(await files.sweep(), 0, "young bytes stay");
    assert.deepEqual(await keys(), [blobKeyOf(kept), orphan].sort());
    now += SWEEP_GRACE_MS + 60_000;
    assert.equal(await files.sweep(), 1);
    assert.deepEqual(await keys(), [blobKeyOf(kept)]);
    // A row deleted behind the store's back (no commit notice here): its bytes were seen with a
    // row before, so the next pass removes them without waiting.
    await storage.commit({ writes: [{ id: kept, table: "_storage", value: null }] });
    now = Date.now();
    assert.equal(await files.sweep(), 1);
    assert.deepEqual(await keys(), []);
  } finally {
    stop();
    await storage.close();
  }
});
