/**
 * Pagination cursors and journals: a cursor round-trips its position, and one from another index
 * or order is refused with the `InvalidCursor` text the official client resets pagination on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeIndexKey, fullRange, type IndexId, type IndexInfo, type IndexKey } from "@tandem/storage";
import { isTandemError } from "@tandem/shared";
import { decodeCursor, encodeCursor, encodeJournal, journalEndCursor } from "../../src/runtime/query/cursor.js";
import type { QueryPlan } from "../../src/runtime/query/plan.js";

const index: IndexInfo = { id: 7 as IndexId, table: "t", name: "by_creation_time", fields: ["_creationTime", "_id"] };
const planFor = (order: "asc" | "desc", i: IndexInfo = index): QueryPlan => ({
  table: "t",
  index: i,
  range: fullRange(i),
  order,
  operators: [],
});
const asc = planFor("asc");

test("positions round-trip: a key, the end, the start", () => {
  const key = encodeIndexKey([12.5, "abc"]) as IndexKey;
  const decoded = decodeCursor(asc, encodeCursor(asc, { kind: "key", key }));
  assert.equal(decoded.kind, "key");
  assert.deepEqual(Buffer.from((decoded as { key: Uint8Array }).key), Buffer.from(key));
  assert.deepEqual(decodeCursor(asc, encodeCursor(asc, { kind: "end" })), { kind: "end" });
  assert.deepEqual(decodeCursor(asc, encodeCursor(asc, { kind: "start" })), { kind: "start" });
});

test("a cursor of another order or index, or not a cursor at all, is InvalidCursor", () => {
  const cursor = encodeCursor(asc, { kind: "end" });
  const other = planFor("asc", { ...index, id: 8 as IndexId });
  for (const [plan, c] of [
    [planFor("desc"), cursor],
    [other, cursor],
    [asc, "not base64url json"],
    [asc, Buffer.from(JSON.stringify({ v: 2, i: 7, o: "asc", k: null })).toString("base64url")],
    [asc, Buffer.from(JSON.stringify({ v: 1, i: 7, o: "asc", k: 5 })).toString("base64url")],
  ] as const) {
    assert.throws(
      () => decodeCursor(plan, c),
      (e: unknown) => isTandemError(e) && e.code === "InvalidCursor" && e.message.startsWith("InvalidCursor:"),
    );
  }
});

test("journals carry the end cursor and tolerate anything else as no journal", () => {
  assert.equal(encodeJournal(null), null);
  assert.equal(journalEndCursor(encodeJournal("abc")), "abc");
  for (const j of [null, undefined, "", "{", "[]", '{"endCursor":3}']) assert.equal(journalEndCursor(j), null);
});
