/** Index keys compare bytewise (the storage encoding preserves Convex value order). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when `[start, end)` contains no key at all. */
export function isEmptyRange(start: Uint8Array, end: Uint8Array | null): boolean {
  return end !== null && compareKeys(start, end) >= 0;
}
