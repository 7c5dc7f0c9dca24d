/** fast-check generators of Convex values covering every type and the awkward corners. */
import fc from "fast-check";
import type { Value } from "convex/values";

const negNaN = (() => {
  const d = new DataView(new ArrayBuffer(8));
  d.setBigUint64(0, 0xfff8_0000_0000_0000n);
  return d.getFloat64(0);
})();

// Random doubles without NaN: fc.double() can produce NaNs with arbitrary payloads and signs, and
// JavaScript does not keep NaN bit patterns stable (and Convex's JS compareValues orders payload
// NaNs against IEEE total order, which the encoding follows, as the server does); the two standard
// NaNs come from the constants below.
export const float64 = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(
    0,
    -0,
    NaN,
    negNaN,
    Infinity,
    -Infinity,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
    1,
    -1,
    0.5,
  ),
);

export const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 1n, 255n, 256n),
);

/** Strings rich in the bytes the encoding escapes (0x00) and in multi-byte and astral characters. */
export const str = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.string({
    unit: fc.constantFrom("\0", "\x01", "a", "b", "\x7f", "\xff", "\u0800", "\uffff", "😀", "\u{10ffff}"),
    maxLength: 6,
  }),
);

export const bytes = fc
  .uint8Array({ maxLength: 6 })
  .chain((a) => fc.constant(a))
  .map((a) => a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer);
export const bytesBiased = fc.oneof(
  bytes,
  fc.array(fc.constantFrom(0, 1, 0xff, 0xfe), { maxLength: 5 }).map((a) => Uint8Array.from(a).buffer as ArrayBuffer),
);

export const fieldName = fc.oneof(
  fc.constantFrom("a", "b", "_id", "x y", "~", " "),
  fc
    .string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 4,
    })
    .filter((s) => !s.startsWith("$")),
);

export const { value } = fc.letrec<{ value: Value; leaf: Value }>((tie) => ({
  leaf: fc.oneof(fc.constant(null), int64, float64, fc.boolean(), str, bytesBiased),
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fieldName, tie("value"), { maxKeys: 3, noNullPrototype: true }) as fc.Arbitrary<Value>,
  ),
}));

/** A tuple element: any value or a missing field. */
export const element = fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 8, arbitrary: value });
export const tuple = fc.array(element, { maxLength: 3 });

/**
 * Every NaN made the same NaN: V8 may rewrite a NaN's sign and payload bits (e.g. when it is stored
 * in an array of doubles), so which NaN a value holds is not stable in JavaScript.
 */
export function sameNaNs<T extends Value | undefined>(v: T): T;
export function sameNaNs(v: Value | undefined): Value | undefined {
  if (typeof v === "number") return Number.isNaN(v) ? NaN : v;
  if (Array.isArray(v)) return v.map((x) => sameNaNs(x));
  if (v !== null && typeof v === "object" && !(v instanceof ArrayBuffer))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sameNaNs(x as Value)]));
  return v;
}
