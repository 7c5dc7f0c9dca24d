/** The range index against a brute-force oracle (fast-check), plus the commit window. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { IndexKey, KeyRange, Timestamp } from "@tandem/storage";
import { RangeIndex } from "../../src/subscriptions/range-index.js";
import { compareKeys } from "../../src/subscriptions/keys.js";
import { CommitWindow } from "../../src/subscriptions/commit-window.js";

const key = fc.uint8Array({ minLength: 0, maxLength: 3, max: 3 });
const range = fc.record({ index: fc.integer({ min: 1, max: 3 }), start: key, end: fc.option(key, { nil: null }) });
type R = { index: number; start: Uint8Array; end: Uint8Array | null };
const asRange = (r: R) => r as unknown as KeyRange;
const contains = (r: R, index: number, k: Uint8Array) =>
  r.index === index && compareKeys(r.start, k) <= 0 && (r.end === null || compareKeys(k, r.end) < 0);

test("compareKeys is bytewise with shorter-prefix-first", () => {
  fc.assert(
    fc.property(key, key, (a, b) => {
      assert.equal(Math.sign(compareKeys(a, b)), Math.sign(Buffer.compare(a, b)));
    }),
  );
});

test("stab finds exactly the ranges containing the key, through adds and removes", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("add" as const), range }),
    fc.record({ kind: fc.constant("remove" as const), which: fc.nat() }),
    fc.record({ kind: fc.constant("stab" as const), index: fc.integer({ min: 1, max: 3 }), key }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
      const idx = new RangeIndex<number>();
      const live: Array<{ id: number; range: R; reg: ReturnType<RangeIndex<number>["add"]> }> = [];
      let next = 0;
      for (const o of ops) {
        if (o.kind === "add") {
          const id = next++;
          live.push({ id, range: o.range, reg: idx.add([asRange(o.range)], id) });
        } else if (o.kind === "remove") {
          if (!live.length) continue;
          const [gone] = live.splice(o.which % live.length, 1);
          idx.remove(gone!.reg);
        } else {
          const got: number[] = [];
          idx.stab(o.index, o.key, (v) => got.push(v));
          const want = live.filter((l) => contains(l.range, o.index, o.key)).map((l) => l.id);
          assert.deepEqual(
            got.sort((a, b) => a - b),
            want.sort((a, b) => a - b),
          );
        }
      }
      const nonEmpty = live.filter((l) => l.range.end === null || compareKeys(l.range.start, l.range.end) < 0).length;
      assert.equal(idx.size, nonEmpty);
    }),
    { numRuns: 300 },
  );
});

// Speed is the subscription benchmark's business (bench/); here only what a stab reports.
test("many ranges: a stab reports exactly the ranges that contain the key", () => {
  const idx = new RangeIndex<number>();
  const enc = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return new Uint8Array(b);
  };
  // Range i is [2i, 2i+1): it holds key 2i only.
  for (let i = 0; i < 50_000; i++)
    idx.add([{ index: 1, start: enc(i * 2), end: enc(i * 2 + 1) } as unknown as KeyRange], i);
  for (let i = 0; i < 10_000; i++) {
    const hits: number[] = [];
    idx.stab(1, enc(i * 10), (v) => hits.push(v));
    assert.deepEqual(hits, [i * 5]);
    idx.stab(1, enc(i * 10 + 1), (v) => hits.push(v));
    assert.deepEqual(hits, [i * 5], "an end is exclusive");
  }
  const none: number[] = [];
  idx.stab(2, enc(0), (v) => none.push(v));
  assert.deepEqual(none, [], "another index holds nothing");
});

test("the commit window reports the first commit after a snapshot that wrote into a read set", () => {
  const w = new CommitWindow();
  const k = (s: string) => new TextEncoder().encode(s) as IndexKey;
  const ts = (n: number) => BigInt(n) as Timestamp;
  const readSet = [{ index: 1, start: k("b"), end: k("d") }] as unknown as KeyRange[];
  w.record({ ts: ts(1), writes: [{ index: 1, key: k("c") }] });
  assert.equal(w.length, 0, "nothing is kept while no execution is in flight");
  w.begin(ts(5));
  w.record({
    ts: ts(6),
    writes: [
      { index: 2, key: k("c") },
      { index: 1, key: k("d") },
    ],
  });
  w.record({ ts: ts(7), writes: [{ index: 1, key: k("bz") }] });
  assert.equal(w.firstHit(ts(5), readSet), 7n);
  assert.equal(w.firstHit(ts(7), readSet), null);
  w.end(ts(5));
  assert.equal(w.length, 0);
});
