/**
 * The merged scan's cursor on its own, over a reader whose batch reads finish out of order: each
 * stored entry is handed out once, to callers that wait for batches at the same time too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { DocumentId, IndexEntryText, IndexKey, KeyRange, SnapshotReader } from "@tandem/storage";
import { ScanCursor, type ScanEntry } from "../../src/transactions/transaction.js";
import { Metrics } from "../../src/transactions/limits.js";

const key = (i: number) => Uint8Array.of(0x10, i) as unknown as IndexKey;
const rows: IndexEntryText[] = Array.from({ length: 40 }, (_, i) => ({
  key: key(i),
  id: `id${i}` as DocumentId,
  json: JSON.stringify({ i }),
}));

function reader(): SnapshotReader & { reads: number } {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    async scanText(range: KeyRange, _order: "asc" | "desc", limit: number) {
      // The first read is the slowest: a second read started after it would finish first.
      const delay = [20, 0, 10, 0][reads++ % 4]!;
      await sleep(delay);
      return rows.filter((r) => Buffer.compare(r.key, range.start) >= 0).slice(0, limit);
    },
  } as unknown as SnapshotReader & { reads: number };
}

async function take(c: ScanCursor): Promise<ScanEntry | null> {
  for (;;) {
    const e = c.next();
    if (e !== undefined) return e;
    await c.load();
  }
}

test("a scan cursor hands each entry out once to concurrent callers; they share each batch read", async () => {
  const r = reader();
  const range: KeyRange = { index: 1 as never, start: key(0), end: null };
  const cursor = new ScanCursor(r, new Metrics(), range, "asc", [], new Set(), undefined);
  const got = await Promise.all(Array.from({ length: 45 }, () => take(cursor)));
  const seen = got.filter((e) => e !== null).map((e) => (JSON.parse(e.json) as { i: number }).i);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.equal(got.filter((e) => e === null).length, 5);
  // Batches of 16 and 32: two reads, each shared by every caller waiting for it.
  assert.equal(r.reads, 2);
});
