/**
 * Key ranges for `withIndex`: equalities on a prefix of the index fields, then at most one lower
 * and one upper bound on the next field (`IndexRange::compile` on the server).
 */
import type { Value } from "convex/values";
import type { IndexInfo, IndexKey, KeyRange } from "../types.js";
import { storageError } from "../errors.js";
import { compareKeys, prefixSuccessor } from "./compare.js";
import { appendToKey, encodeIndexKey } from "./encode.js";

export interface RangeBound {
  /** `undefined` means "missing field" (`{"$undefined": null}` on the wire), which sorts first. */
  readonly value: Value | undefined;
  readonly inclusive: boolean;
}

/** The whole index. */
export function fullRange(index: IndexInfo | { readonly id: IndexInfo["id"] }): KeyRange {
  return { index: index.id, start: Buffer.alloc(0) as unknown as IndexKey, end: null };
}

export function indexRange(
  index: IndexInfo,
  eq: readonly (Value | undefined)[],
  lower?: RangeBound,
  upper?: RangeBound,
): KeyRange {
  const bounded = lower !== undefined || upper !== undefined;
  if (eq.length + (bounded ? 1 : 0) > index.fields.length)
    throw storageError(
      "BadRequest",
      "InvalidIndexRange",
      `Index ${index.table}.${index.name} has ${index.fields.length} fields; the range uses more.`,
    );
  const prefix = encodeIndexKey(eq);
  const start = lower
    ? lower.inclusive
      ? appendToKey(prefix, lower.value)
      : prefixSuccessor(appendToKey(prefix, lower.value))
    : prefix;
  const end = upper
    ? upper.inclusive
      ? prefixSuccessor(appendToKey(prefix, upper.value))
      : appendToKey(prefix, upper.value)
    : prefixSuccessor(prefix);
  // `prefixSuccessor` of a non-empty encoding never returns null (type tags are < 0xFF), but an
  // exclusive lower bound past everything would: that range is empty.
  if (start === null) return { index: index.id, start: prefix, end: prefix };
  if (end !== null && compareKeys(start, end) > 0) return { index: index.id, start, end: start };
  return { index: index.id, start, end };
}

/** The point range of one full key (e.g. a `db.get` expressed on `by_id`). */
export function pointRange(index: IndexInfo["id"], key: IndexKey): KeyRange {
  return { index, start: key, end: prefixSuccessor(key) };
}

/**
 * The rest of `range` after a scan in `order` returned `lastKey`: what to scan for the next page.
 * Keys are prefix-free, so the successor of a full key skips exactly that key.
 */
export function rangeAfter(range: KeyRange, lastKey: IndexKey, order: "asc" | "desc"): KeyRange {
  if (order === "desc") return { ...range, end: lastKey };
  const start = prefixSuccessor(lastKey);
  return start === null ? { ...range, start: lastKey, end: lastKey } : { ...range, start };
}
