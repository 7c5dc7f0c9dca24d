/**
 * Field paths `a.b.c` into documents. Paths only descend into plain objects: an array, bytes or a
 * special `$`-object on the way means the field is missing (`undefined`).
 */
import type { Value } from "convex/values";
import type { ConvexJSON } from "../types.js";
import { fromConvexJSON } from "./json.js";

export function splitFieldPath(path: string): string[] {
  return path.split(".");
}

/** The value at `path` in a Convex value, or `undefined` when missing. */
export function getFieldPath(value: Value | undefined, path: string | readonly string[]): Value | undefined {
  let cur: Value | undefined = value;
  for (const part of typeof path === "string" ? splitFieldPath(path) : path) {
    if (!isPlainObject(cur)) return undefined;
    cur = (cur as Record<string, Value | undefined>)[part];
  }
  return cur;
}

/**
 * The value at `path` in a Convex JSON document, decoded; `undefined` when missing. Walking the
 * JSON and decoding only the leaf avoids decoding the whole document. Field names never start with
 * `$`, so a `$` part can only point into `{"$integer": …}` and friends: that is "missing".
 */
export function getJSONFieldPath(json: ConvexJSON | undefined, path: string | readonly string[]): Value | undefined {
  let cur: ConvexJSON | undefined = json;
  for (const part of typeof path === "string" ? splitFieldPath(path) : path) {
    if (cur === null || cur === undefined || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    if (part.startsWith("$") || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur === undefined ? undefined : fromConvexJSON(cur);
}

function isPlainObject(v: Value | undefined): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof ArrayBuffer);
}
