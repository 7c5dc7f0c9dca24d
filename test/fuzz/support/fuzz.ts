/**
 * Run settings shared by the fuzz suites. `npm test` runs each property a bounded number of times;
 * `npm run soak -- fuzz` (scripts/soak.mjs) multiplies them through `FUZZ_SCALE` and collects the
 * counts each suite writes to `FUZZ_REPORT_DIR`.
 */
import { after } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type fc from "fast-check";

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** A time box per property (ms): the run stops there, passing, with the inputs tried so far. */
const TIME_LIMIT = process.env.FUZZ_TIME_LIMIT_MS === undefined ? undefined : Number(process.env.FUZZ_TIME_LIMIT_MS);

/**
 * fast-check parameters for a property that runs `base` times in `npm test`. `soakWeight` scales
 * the soak run further for properties that need no network (thousands of inputs a second).
 */
export function runs<T>(base: number, soakWeight = 1): fc.Parameters<T> {
  return {
    numRuns: Math.max(1, Math.round(base * SCALE * (SCALE > 1 ? soakWeight : 1))),
    ...(SEED !== undefined ? { seed: SEED } : {}),
    ...(TIME_LIMIT !== undefined ? { interruptAfterTimeLimit: TIME_LIMIT, markInterruptAsFailure: false } : {}),
    // Shrinking a network property can take long; a failing seed and path are printed either way.
    endOnFailure: SCALE > 1,
    includeErrorInReport: true,
  };
}

/**
 * Whether this input also gets the full table dump compared (every input in `npm test`, one in
 * ten in the soak run). The latest commit timestamp is compared for every input: an unchanged one
 * means no commit, hence an unchanged snapshot.
 */
export function fullCheck(n: number): boolean {
  return SCALE <= 1 || n % 10 === 0;
}

/** Counts generated inputs (frames, requests) of one suite and reports them when the file ends. */
export function inputCounter(suite: string): { add(n?: number): void; readonly count: number } {
  let count = 0;
  const started = Date.now();
  after(() => {
    const ms = Date.now() - started;
    console.log(`fuzz ${suite}: ${count} inputs in ${(ms / 1000).toFixed(1)} s`);
    const dir = process.env.FUZZ_REPORT_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${suite}.json`), JSON.stringify({ suite, inputs: count, ms }));
    }
  });
  return {
    add(n = 1) {
      count += n;
    },
    get count() {
      return count;
    },
  };
}
