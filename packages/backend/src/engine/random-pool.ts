/**
 * Request ids and per-execution seeds are drawn from a pooled buffer of random bytes: one
 * `randomFillSync` per 4 KiB instead of one per execution (it showed in profiles of the main thread).
 */
import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(4096);
let at = pool.length;

function take(n: number): Buffer {
  if (at + n > pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  const out = pool.subarray(at, at + n);
  at += n;
  return out;
}

/** 16 hex characters, as Convex's `[Request ID: …]`. */
export const newRequestId = (): string => take(8).toString("hex");

/** A 31-bit seed for a function's `Math.random`. */
export const newSeed = (): number => take(4).readUInt32LE(0) >>> 1;
