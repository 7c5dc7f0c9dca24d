/**
 * The query cache's rules on their own, against a real commit log: the snapshot interval a result
 * holds for, a log that no longer reaches back, flushes racing runs, the bounds, and the age
 * limit of results that read the clock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeIndexKey, pointRange, type IndexId, type KeyRange, type Timestamp } from "@tandem/storage";
import { CommitLog } from "../../src/transactions/commit-log.js";
import { QueryCache, TIME_DEPENDENT_MAX_AGE_MS } from "../../src/engine/query-cache.js";
import type { ResolvedFunction } from "../../src/runtime/loaded-deployment.js";

const idx = 3 as IndexId;
const key = (n: number) => encodeIndexKey([n]);
const ts = (n: number) => BigInt(n) as Timestamp;
const fn = { path: { module: "m.js", name: "q" }, meta: {} } as unknown as ResolvedFunction;
const NONE = { kind: "none" } as const;

function setup(logSize = 100, start = 0, options = {}) {
  const log = new CommitLog(logSize, ts(start));
  const cache = new QueryCache(
    options,
    (readSet, since, until) => log.covers(since) && log.conflict(readSet, since, until) === null,
  );
  const write = (at: number, n: number) => log.append(ts(at), [{ index: idx, oldKey: null, newKey: key(n) }]);
  return { log, cache, write };
}

const result = (json: string, readSet: KeyRange[] = [pointRange(idx, key(1))]) => ({ json, readSet, journal: null });

test("a result holds from its snapshot until a commit writes into what it read", () => {
  const { cache, write } = setup();
  const k = cache.key(fn, { n: 1 }, NONE, null)!;
  cache.store(k, cache.generation, ts(10), result("1"));
  assert.equal(cache.lookup(k, ts(9), 0), null, "not for a snapshot older than the one it read");
  assert.equal(cache.lookup(k, ts(10), 0)?.json, "1");
  write(11, 2); // elsewhere
  assert.equal(cache.lookup(k, ts(11), 0)?.json, "1");
  write(12, 1); // into its read set
  assert.equal(cache.lookup(k, ts(11), 0)?.json, "1", "still valid at a snapshot before that commit");
  assert.equal(cache.lookup(k, ts(12), 0), null);
  assert.equal(cache.stats().entries, 0, "an ended result is dropped");
  assert.deepEqual([cache.stats().hits, cache.stats().misses], [3, 2]);
});

test("a result read before the log reaches back is not reused", () => {
  const { cache, write } = setup(2, 5);
  const k = cache.key(fn, {}, NONE, null)!;
  cache.store(k, cache.generation, ts(4), result("old"));
  assert.equal(cache.lookup(k, ts(5), 0), null, "read before the log started: commits since are unknown");
  cache.store(k, cache.generation, ts(6), result("x"));
  assert.equal(cache.lookup(k, ts(6), 0)?.json, "x");
  // Past 1.5 × 2 entries the log forgets its oldest: the result's span is no longer known.
  for (let i = 0; i < 4; i++) write(20 + i, 100 + i);
  assert.equal(cache.lookup(k, ts(23), 0), null);
});

test("a run that started before a flush keeps nothing; a newer result is not replaced by an older one", () => {
  const { cache } = setup();
  const k = cache.key(fn, {}, NONE, null)!;
  const generation = cache.generation;
  cache.flush();
  cache.store(k, generation, ts(5), result("stale code"));
  assert.equal(cache.lookup(k, ts(5), 0), null);
  cache.store(k, cache.generation, ts(8), result("new"));
  cache.store(k, cache.generation, ts(6), result("older"));
  assert.equal(cache.lookup(k, ts(8), 0)?.json, "new");
});

test("keys tell apart functions, arguments (their key order too), identities and journals", () => {
  const { cache } = setup();
  const keys = [
    cache.key(fn, { a: 1, b: 2 }, NONE, null),
    cache.key(fn, { b: 2, a: 1 }, NONE, null),
    cache.key(fn, { a: 1, b: 2 }, { kind: "admin" }, null),
    cache.key(fn, { a: 1, b: 2 }, NONE, "journal"),
    cache.key({ ...fn, component: "c" }, { a: 1, b: 2 }, NONE, null),
    cache.key({ ...fn, path: { module: "m.js", name: "r" } } as ResolvedFunction, { a: 1, b: 2 }, NONE, null),
  ];
  assert.equal(new Set(keys).size, keys.length);
  const user = (subject: string) => ({
    kind: "user" as const,
    attributes: { tokenIdentifier: `i|${subject}`, issuer: "i", subject },
    expiresAt: null,
    token: `t-${subject}`,
  });
  assert.notEqual(cache.key(fn, {}, user("a"), null), cache.key(fn, {}, user("b"), null));
  assert.equal(
    cache.key(fn, {}, user("a"), null),
    cache.key(fn, {}, { ...user("a"), token: "another token, same claims" }, null),
  );
});

test("least recently used results go first, by count and by bytes; one too large is not kept", () => {
  const { cache } = setup(100, 0, { maxEntries: 3, maxBytes: 16_000 });
  const k = (n: number) => cache.key(fn, { n }, NONE, null)!;
  for (let n = 1; n <= 3; n++) cache.store(k(n), cache.generation, ts(1), result(String(n)));
  assert.ok(cache.lookup(k(1), ts(1), 0), "1 is now the most recent");
  cache.store(k(4), cache.generation, ts(1), result("4"));
  assert.equal(cache.lookup(k(2), ts(1), 0), null, "2 was the least recent");
  assert.ok(cache.lookup(k(1), ts(1), 0));
  assert.equal(cache.stats().evictions, 1);

  const big = setup(100, 0, { maxEntries: 100, maxBytes: 16_000 }).cache;
  const kb = (n: number) => big.key(fn, { n }, NONE, null)!;
  big.store(kb(0), big.generation, ts(1), result("x".repeat(2_100)));
  assert.equal(big.lookup(kb(0), ts(1), 0), null, "over an eighth of the bytes: not kept");
  // ~1,800 bytes each with key and read set: 8 fit in 16,000, the 9th pushes out the oldest.
  for (let n = 1; n <= 9; n++) big.store(kb(n), big.generation, ts(1), result("y".repeat(1_500)));
  assert.equal(big.stats().entries, 8);
  assert.ok(big.stats().bytes <= 16_000);
  assert.equal(big.lookup(kb(1), ts(1), 0), null);
  assert.ok(big.lookup(kb(9), ts(1), 0));
});

test("a result that read the clock is reused only while younger than Convex's bound", () => {
  const { cache } = setup();
  const timed = cache.key(fn, { n: 1 }, NONE, null)!;
  const plain = cache.key(fn, { n: 2 }, NONE, null)!;
  cache.store(timed, cache.generation, ts(10), { ...result("t"), clockReadAt: 1_000 });
  cache.store(plain, cache.generation, ts(10), result("p"));
  assert.equal(cache.lookup(timed, ts(10), 1_000 + TIME_DEPENDENT_MAX_AGE_MS)?.json, "t");
  assert.equal(cache.lookup(timed, ts(10), 999), null, "a clock that went back: not reused");
  cache.store(timed, cache.generation, ts(10), { ...result("t"), clockReadAt: 1_000 });
  assert.equal(cache.lookup(timed, ts(10), 1_001 + TIME_DEPENDENT_MAX_AGE_MS), null, "too old");
  assert.equal(cache.lookup(timed, ts(10), 1_000), null, "and dropped");
  assert.equal(cache.lookup(plain, ts(10), 1_000_000)?.json, "p", "a result that did not read it has no age limit");
});
