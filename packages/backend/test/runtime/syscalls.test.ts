/**
 * The syscall table on its own: what `globalThis.Convex.syscall/asyncSyscall` answer for one
 * execution over a real transaction, as the bundled `convex/server` calls them (JSON in, JSON out).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStorage, type Storage } from "@tandem/storage";
import { ExecutionSyscalls, type SyscallContext } from "../../src/runtime/syscalls.js";
import { Transaction } from "../../src/transactions/transaction.js";
import { LiveDeployment } from "../../src/engine/live-deployment.js";

let dir: string;
let storage: Storage;
let live: LiveDeployment;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "tandem-syscalls-"));
  storage = await openSqliteStorage({ path: join(dir, "db.sqlite") });
  live = new LiveDeployment(storage);
});
after(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function execution(kind: "query" | "mutation", nestedCalls: unknown[] = []) {
  const tx = new Transaction(storage.snapshot(), live.catalog, { readOnly: kind === "query" });
  const context: SyscallContext = {
    kind,
    identity: { kind: "none" },
    tx,
    functionName: "test:fn",
    check: () => {},
    engine: {
      runQuery: () => Promise.reject(new Error("unused")),
      runMutation: () => Promise.reject(new Error("unused")),
      runAction: () => Promise.reject(new Error("unused")),
    },
    nested: async (k, path, args, limits) => {
      nestedCalls.push({ k, path, args, limits });
      return null;
    },
    deploymentName: "dep",
    journal: { input: null, output: null, paginated: false },
  };
  const s = new ExecutionSyscalls(context);
  return {
    tx,
    sync: (op: string, args: unknown) => JSON.parse(s.syscall(op, JSON.stringify(args))) as unknown,
    call: async (op: string, args: unknown) => JSON.parse(await s.asyncSyscall(op, JSON.stringify(args))) as unknown,
  };
}

test("a mutation inserts, reads back its own writes through get and query streams, merges and removes", async () => {
  const x = execution("mutation");
  const { _id: id } = (await x.call("1.0/insert", { table: "notes", value: { text: "a", n: 1 } })) as { _id: string };
  assert.equal(typeof id, "string");
  const got = (await x.call("1.0/get", { id })) as Record<string, unknown>;
  assert.equal(got.text, "a");
  assert.equal(typeof got._creationTime, "number");

  const { queryId } = x.sync("1.0/queryStream", {
    query: { source: { type: "FullTableScan", tableName: "notes", order: null } },
  }) as { queryId: number };
  assert.deepEqual(((await x.call("1.0/queryStreamNext", { queryId })) as { value: { _id: string } }).value._id, id);
  assert.deepEqual(await x.call("1.0/queryStreamNext", { queryId }), { value: null, done: true });
  assert.equal(x.sync("1.0/queryCleanup", { queryId }), true);

  const merged = (await x.call("1.0/shallowMerge", { id, value: { text: "b" } })) as Record<string, unknown>;
  assert.equal(merged.text, "b");
  assert.equal(merged.n, 1);
  assert.equal(await x.call("1.0/count", { table: "notes" }), 1);
  await x.call("1.0/remove", { id });
  assert.equal(await x.call("1.0/get", { id }), null);
  assert.equal(await x.call("1.0/count", { table: "notes" }), 0);
});

test("normalizeId accepts an id of the named table only; the snapshot ts is an int64", async () => {
  const m = execution("mutation");
  const { _id: id } = (await m.call("1.0/insert", { table: "notes", value: { text: "a" } })) as { _id: string };
  assert.deepEqual(m.sync("1.0/db/normalizeId", { table: "notes", idString: id }), { id });
  assert.deepEqual(m.sync("1.0/db/normalizeId", { table: "other", idString: id }), { id: null });
  assert.deepEqual(m.sync("1.0/db/normalizeId", { table: "notes", idString: "garbage" }), { id: null });
  const ts = m.sync("1.0/getSnapshotTs", {}) as { $integer: string };
  assert.equal(Buffer.from(ts.$integer, "base64").readBigInt64LE(0), m.tx.ts);
});

test("queries cannot write or call mutations; errors reach the function as plain Errors with our text", async () => {
  const q = execution("query");
  await assert.rejects(q.call("1.0/insert", { table: "notes", value: { text: "a" } }), /only available in mutations/);
  await assert.rejects(
    q.call("1.0/runUdf", { udfType: "mutation", name: "m:f", args: {} }),
    /Queries can't call mutations/,
  );
  const bad = await q.call("1.0/get", { id: "not-an-id" }).catch((e: unknown) => e);
  assert.ok(bad instanceof Error && bad.constructor === Error, "a TandemError is rethrown as a plain Error");
  assert.match((bad as Error).message, /Unable to decode ID/);
  await assert.rejects(q.call("1.0/queryStreamNext", { queryId: 99 }), /Query stream not found/);
  assert.throws(() => q.sync("1.0/nope", {}), /Unknown operation/);
});

test("runUdf passes transactionLimits, by our names, to the nested call; bad limits are refused", async () => {
  const calls: unknown[] = [];
  const m = execution("mutation", calls);
  await m.call("1.0/runUdf", {
    udfType: "query",
    name: "a:b",
    args: { x: 1 },
    transactionLimits: { documentsRead: 3, databaseQueries: 2.7, filesRead: 1 },
  });
  await m.call("1.0/runUdf", { udfType: "mutation", reference: "_reference/function/c:d", args: {} });
  assert.deepEqual(calls, [
    { k: "query", path: "a:b", args: { x: 1 }, limits: { documentsRead: 3, readIntervals: 2 } },
    { k: "mutation", path: "c:d", args: {}, limits: null },
  ]);
  await assert.rejects(
    m.call("1.0/runUdf", { udfType: "query", name: "a:b", transactionLimits: { documentsRead: "3" } }),
    /Invalid transactionLimits/,
  );
  await assert.rejects(
    m.call("1.0/runUdf", { udfType: "query", name: "a:b", transactionLimits: { nope: 1 } }),
    /unknown limit/,
  );
});

test("transaction metrics count what the execution read", async () => {
  const m = execution("mutation");
  await m.call("1.0/insert", { table: "metered", value: { text: "a" } });
  const before = (await m.call("1.0/getTransactionMetrics", {})) as Record<string, { used: number; remaining: number }>;
  assert.equal(before.documentsWritten!.used, 1);
  await m.call("1.0/count", { table: "notes" });
  const after = (await m.call("1.0/getTransactionMetrics", {})) as Record<string, { used: number; remaining: number }>;
  assert.ok(after.databaseQueries!.used > before.databaseQueries!.used);
});

test("a query stream hands each stored document out once, to concurrent callers across batch reads too", async () => {
  await storage.ensureTable("many");
  const writes = Array.from({ length: 40 }, (_, i) => {
    const id = storage.newId("many");
    return { id, table: "many", value: { _id: id, _creationTime: 1_700_000_000_000 + i, i } };
  });
  await storage.commit({ writes } as never);
  const q = execution("query");
  const { queryId } = q.sync("1.0/queryStream", {
    query: { source: { type: "FullTableScan", tableName: "many", order: null } },
  }) as { queryId: number };
  // The scan reads 16 rows, then 32: 45 calls at once cross both reads and the end.
  const answers = (await Promise.all(Array.from({ length: 45 }, () => q.call("1.0/queryStreamNext", { queryId })))) as {
    value: { i: number } | null;
    done: boolean;
  }[];
  const seen = answers.filter((a) => !a.done).map((a) => a.value!.i);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.equal(answers.filter((a) => a.done).length, 5);
  assert.equal(q.tx.readSet.length, 1, "the exhausted range is recorded once");
});
