/**
 * Document filters of the data browser, as an object or its JSON text: `{clauses: [{field, op,
 * value, enabled?}], index?: {name, eq: [values], lower?, upper?}}`. Clauses on a (dotted) field
 * must all hold; `index` reads one index range instead of the whole table.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";

const OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "exists", "missing"] as const;
export type FilterOp = (typeof OPS)[number];

export interface FilterClause {
  readonly field: string;
  readonly op: FilterOp;
  readonly value: ConvexJSON;
}

/** Equalities on a prefix of an index's fields, then optional bounds on the next one. */
export interface IndexFilter {
  readonly name: string;
  readonly eq: readonly ConvexJSON[];
  readonly lower?: { readonly value: ConvexJSON; readonly inclusive: boolean };
  readonly upper?: { readonly value: ConvexJSON; readonly inclusive: boolean };
}

export interface Filters {
  readonly clauses: FilterClause[];
  readonly index: IndexFilter | null;
}

function parseBound(b: unknown, which: string): IndexFilter["lower"] {
  if (b === undefined || b === null) return undefined;
  const o = b as { value?: unknown; inclusive?: unknown };
  if (typeof o !== "object" || !("value" in o))
    throw badRequest("InvalidFilters", `\`filters.index.${which}\` must be {value, inclusive}.`);
  return { value: o.value as ConvexJSON, inclusive: o.inclusive !== false };
}

function parseIndex(raw: unknown): IndexFilter | null {
  if (raw === undefined || raw === null) return null;
  const o = raw as { name?: unknown; eq?: unknown; lower?: unknown; upper?: unknown };
  if (typeof o !== "object" || typeof o.name !== "string")
    throw badRequest("InvalidFilters", "`filters.index.name` must be an index name.");
  if (o.eq !== undefined && !Array.isArray(o.eq))
    throw badRequest("InvalidFilters", "`filters.index.eq` must be an array of values.");
  const lower = parseBound(o.lower, "lower");
  const upper = parseBound(o.upper, "upper");
  return { name: o.name, eq: (o.eq ?? []) as ConvexJSON[], ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

/** `{clauses?, index?}` (or its JSON text): field clauses, and an index range to read instead of the whole table. */
export function parseFilterSpec(raw: ConvexJSON | undefined): Filters {
  if (raw === undefined || raw === null) return { clauses: [], index: null };
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw badRequest(
        "InvalidFilters",
        "`filters` must be JSON: {clauses: [{field, op, value}], index?: {name, eq}}.",
      );
    }
  }
  const v = value as { clauses?: unknown; index?: unknown } | null;
  if (v === null || typeof v !== "object") throw badRequest("InvalidFilters", "`filters` must be an object.");
  return {
    clauses: v.clauses === undefined ? [] : parseFilters({ clauses: v.clauses } as ConvexJSON),
    index: parseIndex(v.index),
  };
}

export function parseFilters(raw: ConvexJSON | undefined): FilterClause[] {
  if (raw === undefined || raw === null) return [];
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw badRequest("InvalidFilters", "`filters` must be JSON: {clauses: [{field, op, value}]}.");
    }
  }
  const clauses = (value as { clauses?: unknown } | null)?.clauses;
  if (!Array.isArray(clauses)) throw badRequest("InvalidFilters", "`filters.clauses` must be an array.");
  const out: FilterClause[] = [];
  for (const c of clauses as Array<Record<string, unknown>>) {
    if (c === null || typeof c !== "object")
      throw badRequest("InvalidFilters", "Each filter clause must be an object.");
    if (c.enabled === false) continue;
    if (typeof c.field !== "string" || c.field === "")
      throw badRequest("InvalidFilters", "A filter clause needs a `field`.");
    if (!OPS.includes(c.op as FilterOp))
      throw badRequest("InvalidFilters", `Filter op must be one of ${OPS.join(", ")}.`);
    out.push({ field: c.field, op: c.op as FilterOp, value: (c.value ?? null) as ConvexJSON });
  }
  return out;
}

function fieldOf(doc: DocumentJSON, path: string): ConvexJSON | undefined {
  let v: ConvexJSON | undefined = doc;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = v[part];
  }
  return v;
}

/** Order within one JS type; values of different types never compare as ordered. */
function compare(a: ConvexJSON, b: ConvexJSON): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return null;
}

export function matches(doc: DocumentJSON, clauses: readonly FilterClause[]): boolean {
  return clauses.every((c) => {
    const v = fieldOf(doc, c.field);
    switch (c.op) {
      case "exists":
        return v !== undefined;
      case "missing":
        return v === undefined;
      case "eq":
        return v !== undefined && JSON.stringify(v) === JSON.stringify(c.value);
      case "neq":
        return v === undefined || JSON.stringify(v) !== JSON.stringify(c.value);
      case "gt":
      case "gte":
      case "lt":
      case "lte": {
        const d = v === undefined ? null : compare(v, c.value);
        if (d === null) return false;
        return c.op === "gt" ? d > 0 : c.op === "gte" ? d >= 0 : c.op === "lt" ? d < 0 : d <= 0;
      }
      default:
        return c.op satisfies never;
    }
  });
}
