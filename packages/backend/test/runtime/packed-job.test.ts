import { test } from "node:test";
import assert from "node:assert/strict";
import type { DocumentId, IndexId, IndexKey, KeyRange, PreparedCommit } from "@tandem/storage";
import { packJob, unpackJob } from "../../src/runtime/worker/packed-job.js";

const key = (...bytes: number[]) => new Uint8Array(bytes) as unknown as IndexKey;
const plain = (k: IndexKey | null) => (k === null ? null : [...k]);

test("a job's read set and prepared writes come back unchanged from their packed form", () => {
  // Every byte value, including 0x00 and those past 0x7f (Latin-1 text carries them one to one).
  const all = key(...Array.from({ length: 256 }, (_, i) => i));
  const readSet: KeyRange[] = [
    { index: 3 as IndexId, start: key(0, 0, 1), end: key(0xff, 0x80) },
    { index: 4 as IndexId, start: all, end: null },
    { index: 5 as IndexId, start: key(), end: key(7) },
  ];
  const prepared: PreparedCommit = {
    schemaVersion: 12,
    writes: [
      {
        id: "k57a8zq3x0bq0n8c4n1x2m9vq17s7g1p" as DocumentId,
        table: "items",
        json: '{"_id":"k57a8zq3x0bq0n8c4n1x2m9vq17s7g1p","text":"ü \\" \\n ☃"}',
        indexWrites: [
          { index: 6 as IndexId, oldKey: null, newKey: key(2, 0, 0) },
          { index: 7 as IndexId, oldKey: all, newKey: key(9) },
        ],
      },
      {
        id: "j1" as DocumentId,
        table: "other",
        json: null,
        indexWrites: [{ index: 8 as IndexId, oldKey: key(1), newKey: null }],
      },
      { id: "j2" as DocumentId, table: "other", json: "{}", indexWrites: [], commitTs: true },
    ],
  };
  const packed = packJob(readSet, prepared);
  assert.equal(typeof packed.text, "string");
  const back = unpackJob(structuredClone(packed));
  assert.deepEqual(
    back.readSet.map((r) => ({ index: r.index, start: plain(r.start), end: plain(r.end) })),
    readSet.map((r) => ({ index: r.index, start: plain(r.start), end: plain(r.end) })),
  );
  assert.equal(back.prepared.schemaVersion, 12);
  assert.deepEqual(
    back.prepared.writes.map((w) => ({
      ...w,
      indexWrites: w.indexWrites.map((i) => ({ index: i.index, oldKey: plain(i.oldKey), newKey: plain(i.newKey) })),
    })),
    prepared.writes.map((w) => ({
      ...w,
      indexWrites: w.indexWrites.map((i) => ({ index: i.index, oldKey: plain(i.oldKey), newKey: plain(i.newKey) })),
    })),
  );
  assert.equal("commitTs" in back.prepared.writes[0]!, false);
});

test("an empty read set and no writes pack and unpack too", () => {
  const back = unpackJob(packJob([], { schemaVersion: -1, writes: [] }));
  assert.deepEqual(back, { readSet: [], prepared: { schemaVersion: -1, writes: [] } });
});
