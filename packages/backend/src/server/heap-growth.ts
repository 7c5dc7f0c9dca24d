/**
 * How far V8 lets the old generation grow past its live size before the next full GC.
 *
 * Request bodies reach JavaScript as fresh Buffers (the HTTP parser copies each chunk), and V8
 * counts Buffer bytes allocated since the last full GC against the old generation's limit. Under
 * upload load V8 sets that limit only 10% + 8 MB above the live heap (it measures old-space
 * growth without those bytes, so the heap looks quiet), so about 10 MB of bodies start the next
 * full GC before the cheap young-generation GC that would free them comes: a whole-heap mark every
 * ten 1 MiB uploads, costing more CPU than writing them (bench/README.md, file storage).
 * Pinning the factor at 4× — V8's own upper bound, which it picks when the program outpaces its
 * GC — leaves the young GC the room to come first. The cost is memory: up to 4× the live heap
 * between full GCs (V8 still caps it at half-way to the heap limit, and shrinks it when idle).
 */
import { setFlagsFromString } from "node:v8";

/** The default: old generation limit = 4 × live size after each full GC. */
export const DEFAULT_HEAP_GROWING_PERCENT = 300;

let set = false;

/** Applies once per process (V8 flags are process-wide); a process started with its own setting keeps it. */
export function setHeapGrowth(percent: number = DEFAULT_HEAP_GROWING_PERCENT): void {
  if (set || percent <= 0) return;
  set = true;
  if (process.execArgv.some((a) => a.includes("heap-growing-percent"))) return;
  setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
