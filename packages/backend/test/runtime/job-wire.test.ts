import { test } from "node:test";
import assert from "node:assert/strict";
import type { DocumentId, IndexId, IndexKey, Timestamp } from "@tandem/storage";
import { decodeDone, decodeJob, encodeDone, encodeJob } from "../../src/runtime/worker/job-wire.js";
import { NO_PREPARED_WRITES, type RunJob } from "../../src/runtime/worker/protocol.js";

test("a job crosses to a function thread as text and comes back equal, its ts a bigint", () => {
  const job: RunJob = {
    kind: "mutation",
    path: { module: "items.js", name: "insert" },
    args: { n: 1, text: 'ü " \n', nested: { $integer: "AQAAAAAAAAA=" }, list: [null, true, 1.5] },
    identity: {
      kind: "user",
      attributes: { subject: "u1", issuer: "https://x" } as never,
      expiresAt: null,
      token: "t",
    },
    ts: 1796681584152487038n as Timestamp,
    beginMs: 1796681584152,
    journal: null,
    catalogVersion: 3,
    component: "",
  };
  const text = encodeJob(job);
  assert.equal(typeof text, "string");
  assert.deepEqual(decodeJob(structuredClone(text)), job);
});

test("a finished job's outcome, read set and writes come back from their wire form", () => {
  const key = new Uint8Array([7, 0, 255]) as unknown as IndexKey;
  const ok = decodeDone(
    structuredClone(
      encodeDone(
        4,
        { ok: true, logLines: ["[LOG] 'x'"], journal: "j" },
        '"k57a8zq3x0bq0n8c4n1x2m9vq17s7g1p"',
        [{ index: 2 as IndexId, start: key, end: null }],
        {
          schemaVersion: 1,
          writes: [
            {
              id: "d1" as DocumentId,
              table: "t",
              json: "{}",
              indexWrites: [{ index: 2 as IndexId, oldKey: null, newKey: key }],
            },
          ],
        },
      ),
    ),
  );
  assert.equal(ok.id, 4);
  assert.deepEqual(ok.out, {
    ok: true,
    json: '"k57a8zq3x0bq0n8c4n1x2m9vq17s7g1p"',
    logLines: ["[LOG] 'x'"],
    journal: "j",
  });
  assert.deepEqual([...ok.readSet[0]!.start], [7, 0, 255]);
  assert.equal(ok.readSet[0]!.end, null);
  assert.equal(ok.prepared.writes[0]!.json, "{}");
  assert.deepEqual([...ok.prepared.writes[0]!.indexWrites[0]!.newKey!], [7, 0, 255]);

  const failed = decodeDone(
    encodeDone(
      5,
      { ok: false, error: { message: "boom", data: { a: 1 } }, logLines: [], journal: null },
      "",
      [],
      NO_PREPARED_WRITES,
    ),
  );
  assert.deepEqual(failed, {
    id: 5,
    out: { ok: false, error: { message: "boom", data: { a: 1 } }, logLines: [], journal: null },
    readSet: [],
    prepared: NO_PREPARED_WRITES,
    observedTime: false,
  });
  assert.equal(ok.observedTime, false);
  const timed = decodeDone(encodeDone(6, { ok: true, logLines: [], journal: null }, "1", [], NO_PREPARED_WRITES, true));
  assert.equal(timed.observedTime, true, "a function that read the clock says so");
});
