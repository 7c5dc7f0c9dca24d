/**
 * Document filters of the data browser: clauses on a (dotted) field, all of which must hold.
 * Accepted as an object or its JSON text: `{clauses: [{field, op, value, enabled?}]}`.
 */
import { badRequest } from "@tandem/shared";
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";

const OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "exists", "missing"] as const;
export type FilterOp = (typeof OPS)[number];

export interface FilterClause {
  readonly field: string;
  readonly op: FilterOp;
  readonly value: ConvexJSON;
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
    if (c === null || typeof c !== "object") throw badRequest("InvalidFilters", "Each filter clause must be an object.");
    if (c.enabled === false) continue;
    if (typeof c.field !== "string" || c.field === "") throw badRequest("InvalidFilters", "A filter clause needs a `field`.");
    if (!OPS.includes(c.op as FilterOp)) throw badRequest("InvalidFilters", `Filter op must be one of ${OPS.join(", ")}.`);
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
