import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeIndexKey, pointRange, type IndexId, type Timestamp } from "@tandem/storage";
import { CommitLog } from "../../src/transactions/commit-log.js";

const idx = 7 as IndexId;
const key = (n: number) => encodeIndexKey([n]);
const ts = (n: number) => BigInt(n) as Timestamp;

test("the commit log finds writes into a read range after a snapshot, and only those", () => {
  const log = new CommitLog(4);
  log.append(ts(10), [{ index: idx, oldKey: null, newKey: key(1) }]);
  log.append(ts(20), [{ index: idx, oldKey: key(2), newKey: key(3) }]);
  assert.deepEqual(log.conflict([pointRange(idx, key(1))], ts(5)), { ts: ts(10), index: idx, key: key(1) });
  assert.equal(
    log.conflict([pointRange(idx, key(1))], ts(10)),
    null,
    "a commit at or before the snapshot is not a conflict",
  );
  assert.deepEqual(
    log.conflict([pointRange(idx, key(2))], ts(15)),
    { ts: ts(20), index: idx, key: key(2) },
    "old keys count: the conflict names the key written",
  );
  assert.equal(log.conflict([pointRange(8 as IndexId, key(3))], ts(15)), null, "other indexes don't");
});

test("once old commits are forgotten, snapshots older than them must retry", () => {
  const log = new CommitLog(4);
  for (let i = 1; i <= 7; i++) log.append(ts(i * 10), [{ index: idx, oldKey: null, newKey: key(i) }]);
  // 7 > 4 × 1.5: the oldest three were dropped.
  assert.deepEqual(log.conflict([pointRange(idx, key(99))], ts(5)), { ts: ts(5), index: null, key: null });
  assert.equal(log.conflict([pointRange(idx, key(99))], ts(30)), null);
  assert.deepEqual(log.conflict([pointRange(idx, key(7))], ts(30)), { ts: ts(70), index: idx, key: key(7) });
});

test("the log vouches only for spans it saw, and can stop at a snapshot", () => {
  const log = new CommitLog(4, ts(10));
  assert.equal(log.covers(ts(9)), false, "commits before the log started were never seen");
  assert.equal(log.covers(ts(10)), true);
  log.append(ts(20), [{ index: idx, oldKey: null, newKey: key(1) }]);
  assert.equal(log.conflict([pointRange(idx, key(1))], ts(10), ts(19)), null, "a commit after `until` is not counted");
  assert.deepEqual(log.conflict([pointRange(idx, key(1))], ts(10), ts(20)), { ts: ts(20), index: idx, key: key(1) });
  for (let i = 3; i <= 8; i++) log.append(ts(i * 10), [{ index: idx, oldKey: null, newKey: key(i) }]);
  assert.equal(log.covers(ts(20)), false, "trimmed");
  assert.equal(log.covers(ts(40)), true);
});

test("commits of a group another writer kept from being written are dropped, older ones stay", () => {
  const log = new CommitLog(4);
  log.append(ts(10), [{ index: idx, oldKey: null, newKey: key(1) }]);
  log.append(ts(20), [{ index: idx, oldKey: null, newKey: key(2) }]);
  log.append(ts(30), [{ index: idx, oldKey: null, newKey: key(3) }]);
  log.dropNewest(2);
  assert.equal(log.conflict([pointRange(idx, key(2))], ts(5)), null, "the dropped commit no longer conflicts");
  assert.equal(log.conflict([pointRange(idx, key(3))], ts(5)), null);
  assert.deepEqual(log.conflict([pointRange(idx, key(1))], ts(5)), { ts: ts(10), index: idx, key: key(1) });
  // The same keys at the ts the group gets when it is planned again.
  log.append(ts(40), [{ index: idx, oldKey: null, newKey: key(2) }]);
  assert.deepEqual(log.conflict([pointRange(idx, key(2))], ts(30)), { ts: ts(40), index: idx, key: key(2) });
});
