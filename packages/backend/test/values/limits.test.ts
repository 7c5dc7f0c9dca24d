import { test } from "node:test";
import assert from "node:assert/strict";
import { convexToJson } from "convex/values";
import { isTandemError } from "@tandem/shared";
import type { ConvexJSON } from "@tandem/storage";
import {
  LIMITS,
  assertWithinLimits,
  checkArgsLimits,
  checkDocumentLimits,
  checkFieldName,
  checkValueLimits,
  convexJsonSize,
  formatSize,
} from "../../src/values/index.js";

const nest = (depth: number): ConvexJSON => {
  let v: ConvexJSON = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

test("field names: $ prefix, control and non-ASCII characters, length", () => {
  assert.equal(checkFieldName("ok_name with spaces!"), null);
  assert.equal(checkFieldName(""), null);
  assert.equal(checkFieldName("$set"), "Field name $set starts with a '$', which is reserved.");
  assert.equal(
    checkFieldName("a\nb"),
    "Field name a\nb has invalid character '\n': Field names can only contain non-control ASCII characters",
  );
  assert.match(checkFieldName("é") ?? "", /has invalid character 'é'/);
  assert.match(checkFieldName("x".repeat(1025)) ?? "", /exceeds maximum field name length 1024\.$/);
  assert.equal(checkFieldName("x".repeat(1024)), null);
  assert.deepEqual(checkValueLimits({ outer: { $foo: 1, b: 2 } }), {
    code: "InvalidFieldName",
    message: "Field name $foo starts with a '$', which is reserved.",
  });
});

test("nesting: 64 levels pass, 65 fail with Convex's text; very deep values fail fast", () => {
  assert.equal(checkValueLimits(nest(64)), null);
  assert.deepEqual(checkValueLimits(nest(65)), {
    code: "TooNestedError",
    message: "Value is too nested (nested 65 levels deep > maximum nesting 64)",
  });
  // Deep enough to overflow a naive recursive walk.
  let deep: ConvexJSON = null;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  assert.equal(checkValueLimits(deep)?.code, "TooNestedError");
});

test("array length and object field count", () => {
  assert.equal(checkValueLimits(new Array(8192).fill(null)), null);
  assert.deepEqual(checkValueLimits({ xs: new Array(8193).fill(null) }), {
    code: "ArrayTooLong",
    message: "Array length is too long (8193 > maximum length 8192)",
  });
  const wide: Record<string, ConvexJSON> = {};
  for (let i = 0; i < 1025; i++) wide[`f${i}`] = i;
  assert.deepEqual(checkValueLimits(wide), {
    code: "TooManyFieldsError",
    message: "Object has too many fields (1025 > maximum number 1024)",
  });
});

test("malformed tagged payloads and lone surrogates are rejected", () => {
  assert.equal(checkValueLimits({ $integer: "AQ==" })?.code, "InvalidValue");
  assert.equal(checkValueLimits({ $float: 3 } as unknown as ConvexJSON)?.code, "InvalidValue");
  assert.equal(checkValueLimits({ $bytes: "not base64!" })?.code, "InvalidValue");
  assert.equal(checkValueLimits({ $commitTs: 1 })?.code, "InvalidValue");
  assert.equal(checkValueLimits("\ud800x")?.code, "InvalidValue");
  assert.equal(checkValueLimits(convexToJson([1n, -0, new Uint8Array(5).buffer]) as ConvexJSON), null);
});

test("sizes: formula and limits", () => {
  assert.equal(convexJsonSize(null), 1);
  assert.equal(convexJsonSize("héllo"), 2 + 6);
  assert.equal(convexJsonSize({ ab: [1, true] }), 2 + (2 + 1 + (2 + 9 + 1)));
  assert.equal(convexJsonSize({ $bytes: "AQID" }), 5);
  assert.equal(convexJsonSize({ $bytes: "AQI=" }), 4);
  assert.equal(formatSize(1 << 25), "32 MiB");
  assert.equal(formatSize(1.5 * (1 << 20)), "1.5 MiB");
  assert.equal(formatSize(800), "800 B");
  const big = "x".repeat(17 * (1 << 20));
  assert.match(
    checkArgsLimits({ big })?.message ?? "",
    /^Function arguments are too large \(17 MiB > maximum size 16 MiB\)$/,
  );
  assert.equal(checkArgsLimits({ small: "x" }), null);
  assert.equal(checkValueLimits("x".repeat(33 * (1 << 20)))?.code, "ValueTooLargeError");
});

test("documents: top-level underscore fields, nesting 16, 1 MiB", () => {
  const sys = { _id: "abc", _creationTime: 1 };
  assert.equal(checkDocumentLimits({ ...sys, name: "x", nested: { _private: 1 } }), null);
  assert.deepEqual(checkDocumentLimits({ ...sys, _secret: 1 }), {
    code: "InvalidDocumentError",
    message: "Field '_secret' starts with an underscore, which is only allowed for system fields like '_id'",
  });
  assert.equal(checkDocumentLimits({ v: nest(15) }), null);
  assert.deepEqual(checkDocumentLimits({ v: nest(16) }), {
    code: "InvalidDocumentError",
    message: "Document is too nested (nested 17 levels deep > maximum nesting 16)",
  });
  assert.equal(checkDocumentLimits({ blob: "x".repeat(LIMITS.maxDocumentSize) })?.code, "DocumentTooLarge");
  assert.equal(checkDocumentLimits([1])?.code, "InvalidDocumentError");
});

test("assertWithinLimits throws a BadRequest TandemError with the code", () => {
  assert.doesNotThrow(() => assertWithinLimits(null));
  try {
    assertWithinLimits(checkValueLimits(nest(70)));
    assert.fail("expected a throw");
  } catch (e) {
    assert.ok(isTandemError(e));
    assert.equal(e.kind, "BadRequest");
    assert.equal(e.code, "TooNestedError");
  }
});
