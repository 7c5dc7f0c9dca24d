/**
 * Compiles the serialized query the bundled `convex/server` sends (docs/architecture.md#serialized-queries) into an index,
 * a key range, an order and the operators to apply.
 */
import {
  fromConvexJSONOrUndefined,
  fullRange,
  indexRange,
  type ConvexJSON,
  type IndexInfo,
  type KeyRange,
  type RangeBound,
} from "@tandem/storage";
import type { Value } from "convex/values";
import { badRequest } from "../../errors.js";
import type { Catalog } from "../../transactions/catalog.js";

export type Operator = { readonly filter: ConvexJSON } | { readonly limit: number };

export interface QueryPlan {
  readonly table: string;
  readonly index: IndexInfo;
  readonly range: KeyRange;
  readonly order: "asc" | "desc";
  readonly operators: readonly Operator[];
}

interface RangeExpr {
  type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte";
  fieldPath: string;
  value: ConvexJSON;
}

interface SerializedQuery {
  source:
    | { type: "FullTableScan"; tableName: string; order: "asc" | "desc" | null }
    | { type: "IndexRange"; indexName: string; range: RangeExpr[]; order: "asc" | "desc" | null }
    | { type: "Search"; indexName: string; filters: unknown[] };
  operators?: Operator[];
}

/** Returns null when the table does not exist yet (the query then yields nothing). */
export function compileQuery(
  raw: unknown,
  catalog: Catalog,
  isSystem: boolean,
): QueryPlan | { table: string; empty: true } {
  const q = raw as SerializedQuery;
  if (!q || typeof q !== "object" || !q.source) throw badRequest("InvalidQuery", "Malformed query");
  const operators = Array.isArray(q.operators) ? q.operators : [];
  if (operators.length > 256) throw badRequest("InvalidQuery", "Too many query operators (limit: 256)");
  const src = q.source;
  switch (src.type) {
    case "FullTableScan": {
      const table = checkTable(src.tableName, isSystem);
      const index = findIndex(catalog, table, "by_creation_time");
      if (!index) return { table, empty: true };
      return { table, index, range: fullRange(index), order: src.order ?? "asc", operators };
    }
    case "IndexRange": {
      const dot = src.indexName.indexOf(".");
      const table = checkTable(src.indexName.slice(0, dot), isSystem);
      const name = src.indexName.slice(dot + 1);
      const index = findIndex(catalog, table, name);
      if (!index) {
        if (!catalog.tables().some((t) => t.name === table)) return { table, empty: true };
        throw badRequest("IndexNotFound", `Index ${src.indexName} not found.`);
      }
      return { table, index, range: compileRange(index, src.range ?? []), order: src.order ?? "asc", operators };
    }
    case "Search":
      throw badRequest("SearchNotSupported", "Text search queries are not supported by this Tandem version yet.");
    default:
      throw badRequest("InvalidQuery", "Unknown query source");
  }
}

function checkTable(table: string, isSystem: boolean): string {
  if (!table) throw badRequest("InvalidQuery", "Missing table name");
  if (table.startsWith("_") !== isSystem)
    throw badRequest(
      "SystemTableError",
      isSystem
        ? "User tables can only be accessed with db, not db.system."
        : "System tables can only be accessed with db.system.",
    );
  return table;
}

function findIndex(catalog: Catalog, table: string, name: string): IndexInfo | undefined {
  return catalog.indexes(table).find((i) => i.name === name);
}

export function compileRange(index: IndexInfo, exprs: readonly RangeExpr[]): KeyRange {
  const eq: (Value | undefined)[] = [];
  let lower: RangeBound | undefined;
  let upper: RangeBound | undefined;
  let boundField: string | undefined;
  for (const e of exprs) {
    const value = fromConvexJSONOrUndefined(e.value);
    if (e.type === "Eq") {
      if (boundField !== undefined || index.fields[eq.length] !== e.fieldPath)
        throw invalidRange(
          index,
          `the query didn't use the index fields in order (expected ${JSON.stringify(index.fields[eq.length])}, got ${JSON.stringify(e.fieldPath)})`,
        );
      eq.push(value);
      continue;
    }
    if (index.fields[eq.length] !== e.fieldPath) {
      if (boundField !== undefined && boundField !== e.fieldPath)
        throw badRequest(
          "BoundsOnMultipleFields",
          `Index range bounds must be on a single field (${boundField} and ${e.fieldPath}).`,
        );
      if (!index.fields.includes(e.fieldPath))
        throw badRequest(
          "FieldNotInIndex",
          `The field ${JSON.stringify(e.fieldPath)} is not part of index ${index.table}.${index.name}.`,
        );
      throw invalidRange(
        index,
        `the bound on ${JSON.stringify(e.fieldPath)} must follow equalities on the preceding index fields`,
      );
    }
    boundField = e.fieldPath;
    const bound = { value, inclusive: e.type === "Gte" || e.type === "Lte" };
    if (e.type === "Gt" || e.type === "Gte") {
      if (lower) throw badRequest("AlreadyDefinedBound", `A lower bound on ${e.fieldPath} is already defined.`);
      lower = bound;
    } else {
      if (upper) throw badRequest("AlreadyDefinedBound", `An upper bound on ${e.fieldPath} is already defined.`);
      upper = bound;
    }
  }
  return indexRange(index, eq, lower, upper);
}

function invalidRange(index: IndexInfo, why: string) {
  return badRequest("InvalidIndexRange", `Invalid index range for ${index.table}.${index.name}: ${why}.`);
}
