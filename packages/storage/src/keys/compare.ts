import type { IndexKey } from "../types.js";

/** Byte-wise comparison of two keys (what SQLite's BLOB order and Postgres' bytea order do). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * The smallest key greater than every key that starts with `prefix`, or `null` when there is none
 * (the prefix is empty or all 0xFF), meaning "to the end of the index".
 */
export function prefixSuccessor(prefix: Uint8Array): IndexKey | null {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return null;
  const out = Buffer.alloc(end);
  out.set(prefix.subarray(0, end));
  out[end - 1] = prefix[end - 1]! + 1;
  return out as unknown as IndexKey;
}

/** Whether `key` lies in `[start, end)` (`end: null` = unbounded). */
export function keyInRange(key: Uint8Array, start: Uint8Array, end: Uint8Array | null): boolean {
  return compareKeys(key, start) >= 0 && (end === null || compareKeys(key, end) < 0);
}
