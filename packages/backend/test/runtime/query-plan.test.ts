/**
 * The query planner: the serialized queries the bundled `convex/server` sends become an index,
 * a key range and an order; misuse gets Convex's error codes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  encodeIndexKey,
  keyInRange,
  type IndexId,
  type IndexInfo,
  type IndexKey,
  type TableInfo,
} from "@tandem/storage";
import { isTandemError } from "@tandem/shared";
import { compileQuery, type QueryPlan } from "../../src/runtime/query/plan.js";
import type { Catalog } from "../../src/transactions/catalog.js";

const indexes: IndexInfo[] = [
  { id: 1 as IndexId, table: "messages", name: "by_id", fields: ["_id"] },
  { id: 2 as IndexId, table: "messages", name: "by_creation_time", fields: ["_creationTime", "_id"] },
  { id: 3 as IndexId, table: "messages", name: "by_author_n", fields: ["author", "n", "_creationTime", "_id"] },
  { id: 4 as IndexId, table: "_scheduled_functions", name: "by_creation_time", fields: ["_creationTime", "_id"] },
];
const catalog: Catalog = {
  tables: () => [{ name: "messages" }, { name: "_scheduled_functions" }] as unknown as TableInfo[],
  tableByNumber: () => undefined,
  indexes: (t) => indexes.filter((i) => i.table === t),
  ensureTable: () => Promise.reject(new Error("not in this test")),
  newId: () => {
    throw new Error("not in this test");
  },
};

const plan = (q: unknown, isSystem = false) => compileQuery(q, catalog, isSystem);
const indexQuery = (range: unknown[], order: "asc" | "desc" | null = null) => ({
  source: { type: "IndexRange", indexName: "messages.by_author_n", range, order },
});
const eq = (fieldPath: string, value: unknown) => ({ type: "Eq", fieldPath, value });
/** A key of `by_author_n` (the suffix fields left out: a prefix sorts like any key it starts). */
const key = (author: string, n: number, ct = 1, id = "x") => encodeIndexKey([author, n, ct, id]) as IndexKey;

function rejects(q: unknown, code: string, isSystem = false) {
  assert.throws(
    () => plan(q, isSystem),
    (e: unknown) => isTandemError(e) && e.code === code,
    code,
  );
}

test("a full table scan reads by_creation_time in the requested order", () => {
  const p = plan({ source: { type: "FullTableScan", tableName: "messages", order: "desc" } }) as QueryPlan;
  assert.equal(p.index.name, "by_creation_time");
  assert.equal(p.order, "desc");
  assert.deepEqual(p.operators, []);
  assert.equal(p.range.end, null);
});

test("a table that does not exist yet plans to nothing", () => {
  assert.deepEqual(plan({ source: { type: "FullTableScan", tableName: "later", order: null } }), {
    table: "later",
    empty: true,
  });
  assert.deepEqual(plan({ source: { type: "IndexRange", indexName: "later.by_x", range: [], order: null } }), {
    table: "later",
    empty: true,
  });
});

test("equalities then one bounded field narrow the key range to exactly the matching keys", () => {
  const p = plan(
    indexQuery(
      [eq("author", "ada"), { type: "Gte", fieldPath: "n", value: 2 }, { type: "Lt", fieldPath: "n", value: 5 }],
      "desc",
    ),
  ) as QueryPlan;
  assert.equal(p.index.name, "by_author_n");
  assert.equal(p.order, "desc");
  const inside = (k: IndexKey) => keyInRange(k, p.range.start, p.range.end);
  assert.ok(inside(key("ada", 2)));
  assert.ok(inside(key("ada", 4.5)));
  assert.ok(!inside(key("ada", 5)));
  assert.ok(!inside(key("ada", 1.99)));
  assert.ok(!inside(key("bob", 3)));
});

test("filters and limits are kept as operators, in order", () => {
  const operators = [{ filter: { $eq: [{ $field: "body" }, { $literal: "x" }] } }, { limit: 3 }];
  const p = plan({ ...indexQuery([eq("author", "ada")]), operators }) as QueryPlan;
  assert.deepEqual(p.operators, operators);
});

test("misused ranges and sources get Convex's error codes", () => {
  rejects(null, "InvalidQuery");
  rejects({ source: { type: "Nope" } }, "InvalidQuery");
  rejects({ source: { type: "Search", indexName: "messages.search", filters: [] } }, "SearchNotSupported");
  rejects({ source: { type: "IndexRange", indexName: "messages.missing", range: [], order: null } }, "IndexNotFound");
  rejects(indexQuery([eq("n", 1)]), "InvalidIndexRange");
  rejects(
    indexQuery([
      { type: "Gt", fieldPath: "author", value: "a" },
      { type: "Gt", fieldPath: "author", value: "b" },
    ]),
    "AlreadyDefinedBound",
  );
  rejects(
    indexQuery([
      { type: "Gt", fieldPath: "author", value: "a" },
      { type: "Lt", fieldPath: "n", value: 1 },
    ]),
    "BoundsOnMultipleFields",
  );
  rejects(indexQuery([eq("author", "a"), { type: "Gt", fieldPath: "body", value: 1 }]), "FieldNotInIndex");
  rejects(
    {
      source: { type: "FullTableScan", tableName: "messages", order: null },
      operators: new Array(257).fill({ limit: 1 }),
    },
    "InvalidQuery",
  );
});

test("system tables only through db.system, user tables only through db", () => {
  rejects({ source: { type: "FullTableScan", tableName: "_scheduled_functions", order: null } }, "SystemTableError");
  rejects({ source: { type: "FullTableScan", tableName: "messages", order: null } }, "SystemTableError", true);
  const p = plan(
    { source: { type: "FullTableScan", tableName: "_scheduled_functions", order: null } },
    true,
  ) as QueryPlan;
  assert.equal(p.index.id, 4);
});
