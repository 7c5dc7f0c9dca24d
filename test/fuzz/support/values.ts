/** Hostile JSON: odd scalars, Convex-encoded look-alikes, huge strings and arrays, deep nesting. */
import fc from "fast-check";

/** A value nested `depth` levels deep, in arrays or objects. */
export const deep = (depth: number, inObject: boolean): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = inObject ? { a: v } : [v];
  return v;
};

const oddScalar = fc.constantFrom<unknown>(
  0,
  -0,
  2 ** 53,
  -(2 ** 63),
  1e308,
  4294967296,
  -1,
  0.5,
  "",
  "\u0000",
  "\ud800",
  "__proto__",
  "constructor",
  "$integer",
  { $integer: "AQAAAAAAAAA=" },
  { $integer: "not base64" },
  { $float: "AAAAAAAA+H8=" },
  { $float: 5 },
  { $bytes: "!!" },
  { $id: "x" },
  { __proto__: { polluted: true } },
  { constructor: { prototype: { x: 1 } } },
  { $foo: 1 },
  { _id: "x", _creationTime: "y" },
);

/** Big but cheap to generate; the frame and request generators add the megabyte-sized ones. */
const huge = fc.oneof(
  fc.integer({ min: 1, max: 70_000 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 1, max: 3_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.integer({ min: 1, max: 1_100 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]))),
  fc.integer({ min: 1, max: 200 }).chain((d) => fc.boolean().map((o) => deep(d, o))),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 3, arbitrary: oddScalar },
  { weight: 1, arbitrary: huge },
  {
    weight: 2,
    arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(oddScalar, fc.jsonValue({ maxDepth: 2 })), {
      maxKeys: 4,
    }),
  },
);

/** An object of arguments: usually plausible keys, sometimes hostile values. */
export const hostileArgs: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(fc.constantFrom("name", "channel", "author", "body", "id", "x", "_id", "$x", ""), hostileValue, {
    maxKeys: 4,
  }),
  hostileValue,
);

/** Replaces, removes or adds one field of an object (recursively one level), or retypes it. */
export function mutateObject(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ ...base, [k]: v })),
    fc.constantFrom(...keys).map((k) => {
      const { [k]: _, ...rest } = base;
      return rest;
    }),
    fc.tuple(fc.string({ maxLength: 12 }), hostileValue).map(([k, v]) => ({ ...base, [k]: v })),
    fc
      .tuple(fc.constantFrom(...keys), fc.constantFrom<unknown>(null, true, "1", 1.5, -1, [], {}, 2 ** 32))
      .map(([k, v]) => ({ ...base, [k]: v })),
  );
}

/** A JSON text cut short or with a byte flipped. */
export function corruptText(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc
      .tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.string({ minLength: 1, maxLength: 2, unit: "binary" }))
      .map(([i, s]) => text.slice(0, i) + s + text.slice(i + 1)),
  );
}
