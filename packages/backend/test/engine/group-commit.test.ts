/**
 * When the committer writes: commits made in one burst of promise jobs share one durable write;
 * with no function-thread job in flight a thread's result is written once that burst is done (no
 * wait for the event loop's poll); while jobs are in flight, and for the server's own
 * transactions, it waits for the end of the turn (results still arriving share the write, and
 * sockets are read in between).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openMemoryStorage, type CommitRequest, type Storage } from "@tandem/storage";
import { Committer, type ExecutedTransaction } from "../../src/engine/committer.js";

async function insert(s: Storage, n: number): Promise<ExecutedTransaction> {
  const id = s.newId("t");
  const prepared = await s.prepare([{ id, table: "t", value: { _id: id, _creationTime: n, n }, original: null }]);
  return { ts: s.latestTs(), readSet: [], prepared };
}

/** Storage whose `commitMany` calls are counted (their group sizes). */
async function countedStorage(): Promise<{ storage: Storage; groups: number[] }> {
  const storage = await openMemoryStorage();
  await storage.ensureTable("t");
  const groups: number[] = [];
  const commitMany = storage.commitMany.bind(storage);
  storage.commitMany = (requests: readonly CommitRequest[], hooks) => {
    groups.push(requests.length);
    return commitMany(requests, hooks);
  };
  return { storage, groups };
}

test("with nothing in flight, a thread's result is written before the event loop's next poll, and one burst shares the write", async () => {
  const { storage, groups } = await countedStorage();
  const committer = new Committer(storage, () => false);
  const [a, b] = [await insert(storage, 1), await insert(storage, 2)];
  let polled = false;
  setImmediate(() => (polled = true));
  // Two commits from the same burst of promise jobs (as two results of one thread message).
  const both = Promise.all([
    Promise.resolve().then(() => committer.commit(a, [], true)),
    Promise.resolve().then(() => committer.commit(b, [], true)),
  ]);
  const [ra, rb] = await both;
  assert.equal(polled, false, "the commit waited for the event loop's poll");
  assert.deepEqual(groups, [2]);
  assert.ok("ts" in ra && "ts" in rb);
  assert.ok(ra.ts < rb.ts);
  assert.equal(storage.latestTs(), rb.ts);
});

/** One commit now, another from a later tick of the same turn; the group sizes written. */
async function twoTicks(moreComing: boolean, fromThread = true): Promise<number[]> {
  const { storage, groups } = await countedStorage();
  const committer = new Committer(storage, () => moreComing);
  const [a, b] = [await insert(storage, 1), await insert(storage, 2)];
  const first = committer.commit(a, [], fromThread);
  const second = new Promise<void>((r) => process.nextTick(r)).then(() => committer.commit(b, [], fromThread));
  await Promise.all([first, second]);
  return groups;
}

test("with jobs in flight, a commit waits for the end of the turn and results arriving meanwhile join it", async () => {
  assert.deepEqual(await twoTicks(true), [2]);
  // Without jobs in flight the first is already written by then.
  assert.deepEqual(await twoTicks(false), [1, 1]);
  // The server's own transactions (not a thread's result) always let the event loop turn first.
  assert.deepEqual(await twoTicks(false, false), [2]);
});
