import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { convexToJson, getConvexSize, type Value, type ValidatorJSON } from "convex/values";
import type { ConvexJSON } from "@tandem/storage";
import { validateValue, convexJsonSize, checkValueLimits } from "../../src/values/index.js";
import { ctx, idFor } from "./ids.js";

const fieldName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/);
const int64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
const bytes = fc.uint8Array({ maxLength: 12 }).map((a) => a.slice().buffer as ArrayBuffer);

/** Arbitrary validators, as `v.*` would serialise them. */
const validatorArb: fc.Arbitrary<ValidatorJSON> = fc.letrec<{ v: ValidatorJSON }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<ValidatorJSON>(
      { type: "null" },
      { type: "number" },
      { type: "bigint" },
      { type: "boolean" },
      { type: "string" },
      { type: "bytes" },
      { type: "any" },
      { type: "id", tableName: "users" },
      { type: "id", tableName: "messages" },
    ),
    fc
      .oneof(
        fc.string(),
        fc.double(),
        fc.boolean(),
        int64.map((b) => convexToJson(b)),
      )
      .map((value) => ({ type: "literal", value }) as ValidatorJSON),
    tie("v").map((value) => ({ type: "array", value }) as ValidatorJSON),
    fc
      .dictionary(fieldName, fc.record({ fieldType: tie("v"), optional: fc.boolean() }), { maxKeys: 4 })
      .map((value) => ({ type: "object", value }) as ValidatorJSON),
    tie("v").map(
      (values) =>
        ({ type: "record", keys: { type: "string" }, values: { fieldType: values, optional: false } }) as ValidatorJSON,
    ),
    fc.array(tie("v"), { minLength: 1, maxLength: 3 }).map((value) => ({ type: "union", value }) as ValidatorJSON),
  ),
})).v;

/** Values (decoded, as a client holds them) that conform to `v`. */
function valueFor(v: ValidatorJSON): fc.Arbitrary<Value> {
  switch (v.type) {
    case "null":
      return fc.constant(null);
    case "number":
      return fc.double();
    case "bigint":
    case "commitTs":
      return int64;
    case "boolean":
      return fc.boolean();
    case "string":
      return fc.string();
    case "bytes":
      return bytes;
    case "any":
      return fc.oneof(fc.string(), fc.double(), fc.constant(null), fc.array(fc.integer().map((n) => BigInt(n))));
    case "literal":
      return fc.constant(typeof v.value === "object" && v.value !== null ? decodeInt(v.value) : (v.value as Value));
    case "id":
      return fc.nat(1000).map((n) => idFor(v.tableName === "users" ? 10001 : 10002, n));
    case "array":
      return fc.array(valueFor(v.value), { maxLength: 3 });
    case "record":
      return fc.dictionary(fieldName, valueFor(v.values.fieldType), { maxKeys: 3 });
    case "object": {
      const entries = Object.entries(v.value);
      return fc
        .tuple(
          ...entries.map(([, f]) =>
            f.optional ? fc.option(valueFor(f.fieldType), { nil: undefined }) : valueFor(f.fieldType),
          ),
        )
        .map((vals) => {
          const out: Record<string, Value> = {};
          entries.forEach(([k], i) => {
            if (vals[i] !== undefined) out[k] = vals[i] as Value;
          });
          return out;
        });
    }
    case "union":
      return fc.oneof(...v.value.map(valueFor));
    default:
      return v satisfies never;
  }
}

function decodeInt(j: unknown): bigint {
  return Buffer.from((j as { $integer: string }).$integer, "base64").readBigInt64LE(0);
}

test("property: a value generated to match a validator passes it", () => {
  fc.assert(
    fc.property(
      validatorArb.chain((v) => fc.tuple(fc.constant(v), valueFor(v))),
      ([v, value]) => {
        const msg = validateValue(v, convexToJson(value) as ConvexJSON, ctx);
        assert.equal(msg, null, `${JSON.stringify(v)} rejected ${JSON.stringify(convexToJson(value))}: ${msg}`);
      },
    ),
    { numRuns: 500 },
  );
});

test("property: wrapping a conforming value in an extra field makes an object validator fail", () => {
  fc.assert(
    fc.property(
      fc
        .dictionary(fieldName, fc.record({ fieldType: validatorArb, optional: fc.boolean() }), { maxKeys: 3 })
        .chain((fields) => {
          const v = { type: "object", value: fields } as ValidatorJSON;
          return fc.tuple(fc.constant(v), valueFor(v));
        }),
      ([v, value]) => {
        const obj = { ...(value as Record<string, Value>), zz_extra_field: 1 };
        const msg = validateValue(v, convexToJson(obj) as ConvexJSON, ctx);
        assert.match(msg ?? "", /^Object contains extra field `zz_extra_field` that is not in the validator\./);
      },
    ),
    { numRuns: 200 },
  );
});

const anyValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    int64,
    fc.string({ unit: "grapheme" }),
    bytes,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fieldName, tie("v"), { maxKeys: 4 }),
  ),
})).v;

test("property: size on the wire form equals convex's getConvexSize of the value", () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      assert.equal(convexJsonSize(convexToJson(value) as ConvexJSON), getConvexSize(value));
    }),
    { numRuns: 500 },
  );
});

test("property: every value the client can encode passes the limit checks", () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      assert.equal(checkValueLimits(convexToJson(value) as ConvexJSON), null);
    }),
    { numRuns: 300 },
  );
});
