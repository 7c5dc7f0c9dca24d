import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compareValues, type Value } from "convex/values";
import { compareKeys, decodeIndexKey, encodeIndexKey, indexRange, keyInRange, prefixSuccessor } from "../src/index.js";
import type { IndexId, IndexInfo } from "../src/index.js";
import { bytesBiased, element, float64, int64, sameNaNs, str, tuple, value } from "./arbitraries.js";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

function compareTuples(a: readonly (Value | undefined)[], b: readonly (Value | undefined)[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const numRuns = 3000;

test("byte order of encoded values equals compareValues from convex/values", () => {
  fc.assert(
    fc.property(element, element, (a, b) => {
      assert.equal(sign(compareKeys(encodeIndexKey([a]), encodeIndexKey([b]))), sign(compareValues(a, b)));
    }),
    { numRuns },
  );
});

test("same-type pairs (where most of the order lives) compare like compareValues", () => {
  const pair = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a) as fc.Arbitrary<[Value, Value]>;
  const smallArray = fc.array(fc.oneof(float64, int64, str), { maxLength: 3 });
  fc.assert(
    fc.property(
      fc.oneof(pair(float64), pair(int64), pair(str), pair(bytesBiased), pair(smallArray), pair(value)),
      ([a, b]) => {
        assert.equal(sign(compareKeys(encodeIndexKey([a]), encodeIndexKey([b]))), sign(compareValues(a, b)));
      },
    ),
    { numRuns },
  );
});

test("byte order of encoded tuples equals lexicographic tuple order", () => {
  fc.assert(
    fc.property(tuple, tuple, (a, b) => {
      assert.equal(sign(compareKeys(encodeIndexKey(a), encodeIndexKey(b))), sign(compareTuples(a, b)));
    }),
    { numRuns },
  );
});

test("nearby values (sharing prefixes) still order correctly", () => {
  const nearby = fc
    .tuple(value, fc.constantFrom("", "\0", "\0\0", "a", "\x01"))
    .map(([v, s]) => (typeof v === "string" ? [v, v + s] : [v, v]));
  fc.assert(
    fc.property(nearby, ([a, b]) => {
      assert.equal(sign(compareKeys(encodeIndexKey([a]), encodeIndexKey([b]))), sign(compareValues(a, b)));
    }),
    { numRuns: 500 },
  );
});

test("decode(encode(x)) round-trips, -0 and NaN included", () => {
  fc.assert(
    fc.property(tuple, (t) => {
      const key = encodeIndexKey(t);
      const back = decodeIndexKey(key);
      assert.deepStrictEqual(back, t); // deepStrictEqual uses Object.is: -0 ≠ +0, NaN = NaN
      // Byte-identical only up to which NaN: V8 does not keep NaN bits stable, see sameNaNs.
      assert.equal(
        compareKeys(encodeIndexKey(back.map((x) => sameNaNs(x))), encodeIndexKey(t.map((x) => sameNaNs(x)))),
        0,
      );
    }),
    { numRuns },
  );
});

test("encodings are prefix-free: a value's key never prefixes a different value's key", () => {
  fc.assert(
    fc.property(value, value, (a, b) => {
      fc.pre(compareValues(a, b) !== 0);
      const ka = encodeIndexKey([a]);
      const kb = encodeIndexKey([b]);
      assert.ok(!(kb.length > ka.length && compareKeys(kb.subarray(0, ka.length), ka) === 0));
    }),
    { numRuns },
  );
});

test("hand-checked order: missing < null < Int64 < Float64 < boolean < string < bytes < array < object", () => {
  const nan = NaN;
  const negNaN = new DataView(Uint8Array.from([0xff, 0xf8, 0, 0, 0, 0, 0, 0]).buffer).getFloat64(0);
  const ordered: (Value | undefined)[] = [
    undefined,
    null,
    -(2n ** 63n),
    -1n,
    0n,
    1n,
    2n ** 63n - 1n,
    negNaN,
    -Infinity,
    -1.5,
    -Number.MIN_VALUE,
    -0,
    0,
    Number.MIN_VALUE,
    1,
    Infinity,
    nan,
    false,
    true,
    "",
    "\0",
    "a",
    "a\0",
    "ab",
    "b",
    "é",
    "\uffff",
    "😀",
    new ArrayBuffer(0),
    Uint8Array.of(0).buffer,
    Uint8Array.of(0, 0).buffer,
    Uint8Array.of(1).buffer,
    [],
    [null],
    [null, null],
    [1n],
    [1],
    ["a"],
    {},
    { a: null },
    { a: 1n },
    { a: 1n, b: null },
    { b: null },
  ];
  for (let i = 0; i + 1 < ordered.length; i++) {
    const a = ordered[i];
    const b = ordered[i + 1];
    assert.equal(sign(compareValues(a, b)), -1, `reference: ${String(a)} < ${String(b)}`);
    assert.ok(compareKeys(encodeIndexKey([a]), encodeIndexKey([b])) < 0, `encoded: item ${i} < item ${i + 1}`);
  }
});

test("prefixSuccessor bounds exactly the keys with that prefix", () => {
  assert.deepEqual([...prefixSuccessor(Uint8Array.of(1, 2))!], [1, 3]);
  assert.deepEqual([...prefixSuccessor(Uint8Array.of(1, 0xff, 0xff))!], [2]);
  assert.equal(prefixSuccessor(Uint8Array.of(0xff)), null);
  assert.equal(prefixSuccessor(new Uint8Array(0)), null);
  fc.assert(
    fc.property(tuple, tuple, (p, rest) => {
      const prefix = encodeIndexKey(p);
      const succ = prefixSuccessor(prefix);
      const key = encodeIndexKey([...p, ...rest]);
      assert.ok(keyInRange(key, prefix, succ));
    }),
    { numRuns: 1000 },
  );
});

const index: IndexInfo = { id: 7 as IndexId, table: "t", name: "by_ab", fields: ["a", "b", "_creationTime", "_id"] };

test("indexRange: eq prefix and bounds select exactly the matching keys", () => {
  const small = fc.oneof(fc.constant(undefined), fc.constantFrom<Value>(null, 0n, 1n, 2n, 1, 2, "a", "b", true));
  const bound = fc.option(fc.record({ value: small, inclusive: fc.boolean() }), { nil: undefined });
  fc.assert(
    fc.property(small, small, small, bound, bound, fc.integer({ min: 0, max: 1 }), (a, b, a2, lower, upper, eqLen) => {
      const eq = eqLen === 1 ? [a2] : [];
      const range = indexRange(index, eq, lower, upper);
      const key = encodeIndexKey([a, b, 1, "id"]);
      const doc = [a, b];
      const next = doc[eq.length];
      let expected = eq.every((v, i) => compareValues(doc[i], v) === 0);
      if (lower)
        expected &&= lower.inclusive ? compareValues(next, lower.value) >= 0 : compareValues(next, lower.value) > 0;
      if (upper)
        expected &&= upper.inclusive ? compareValues(next, upper.value) <= 0 : compareValues(next, upper.value) < 0;
      assert.equal(keyInRange(key, range.start, range.end), expected);
      assert.equal(range.index, 7);
    }),
    { numRuns: 3000 },
  );
});

test("indexRange rejects more fields than the index has", () => {
  assert.throws(() => indexRange(index, [1, 2, 3, 4], { value: 1, inclusive: true }), { code: "InvalidIndexRange" });
  assert.throws(() => encodeIndexKey([[undefined as unknown as Value]]), TypeError);
  assert.throws(() => encodeIndexKey([2n ** 63n]), TypeError);
  assert.throws(() => encodeIndexKey(["\ud800"]), TypeError);
});
