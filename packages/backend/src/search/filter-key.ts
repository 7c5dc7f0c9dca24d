/**
 * Equality keys of filter-field values: two Convex values are equal exactly when their keys are.
 * Convex JSON is canonical for every value type except object key order, which is sorted here.
 */
import type { ConvexJSON } from "@tandem/storage";

export const UNDEFINED_KEY = "u";

export function valueKey(v: ConvexJSON | undefined): string {
  if (v === undefined) return UNDEFINED_KEY;
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "$undefined" in v) return UNDEFINED_KEY;
  return "v" + canonical(v);
}

function canonical(v: ConvexJSON): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  const keys = Object.keys(v).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(v[k]!)).join(",") + "}";
}

/** The Convex JSON at a dotted field path of a document (undefined when missing). */
export function jsonAtPath(doc: ConvexJSON, path: string): ConvexJSON | undefined {
  let cur: ConvexJSON | undefined = doc;
  for (const part of path.split(".")) {
    if (cur === null || cur === undefined || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    if (part.startsWith("$") || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}
