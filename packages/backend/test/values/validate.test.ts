import { test } from "node:test";
import assert from "node:assert/strict";
import { convexToJson, v, type GenericValidator, type ValidatorJSON } from "convex/values";
import type { ConvexJSON } from "@tandem/storage";
import {
  validateValue,
  validateArgs,
  validateReturns,
  validateDocument,
  displayValue,
  displayValidator,
} from "../../src/values/index.js";
import { ctx, idFor } from "./ids.js";

const json = (x: Parameters<typeof convexToJson>[0]) => convexToJson(x) as ConvexJSON;
// Validators carry their wire form in `json`, a getter convex marks @internal (absent from its types).
const vj = (validator: GenericValidator) => (validator as GenericValidator & { readonly json: ValidatorJSON }).json;
const check = (validator: GenericValidator, value: ConvexJSON) => validateValue(vj(validator), value, ctx);

test("scalars match their validators and only them", () => {
  const cases: Array<[GenericValidator, ConvexJSON]> = [
    [v.null(), null],
    [v.number(), 1.5],
    [v.float64(), json(Number.NaN)],
    [v.float64(), json(-0)],
    [v.int64(), json(5n)],
    [v.boolean(), false],
    [v.string(), ""],
    [v.bytes(), json(new Uint8Array([1, 2, 3]).buffer)],
    [v.any(), { anything: [1, "x"] }],
    [v.literal("a"), "a"],
    [v.literal(3), 3],
    [v.literal(3n), json(3n)],
    [v.literal(true), true],
  ];
  for (const [validator, value] of cases) assert.equal(check(validator, value), null, JSON.stringify(value));
  assert.notEqual(check(v.int64(), 5), null, "a float is not an int64");
  assert.notEqual(check(v.number(), json(5n)), null, "an int64 is not a float");
  assert.notEqual(check(v.string(), null), null);
  assert.notEqual(check(v.null(), "null"), null);
  assert.notEqual(check(v.bytes(), "AQID"), null);
  assert.notEqual(check(v.boolean(), 0), null);
});

test("type mismatch: Convex's text, with and without a path", () => {
  assert.equal(check(v.string(), 1), "Value does not match validator.\n\nValue: 1.0\nValidator: v.string()");
  assert.equal(
    check(v.object({ a: v.string() }), { a: 12 }),
    "Value does not match validator.\nPath: .a\nValue: 12.0\nValidator: v.string()",
  );
  assert.equal(
    check(v.object({ a: v.array(v.object({ b: v.int64() })) }), { a: [{ b: json(1n) }, { b: "x" }] }),
    'Value does not match validator.\nPath: .a[1].b\nValue: "x"\nValidator: v.int64()',
  );
});

test("missing and extra fields", () => {
  const validator = v.object({ x: v.string(), y: v.optional(v.number()) });
  assert.equal(
    check(validator, { y: 1 }),
    "Object is missing the required field `x`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {y: 1.0}\nValidator: v.object({x: v.string(), y: v.optional(v.float64())})",
  );
  assert.equal(
    check(validator, { x: "a", z: true }),
    'Object contains extra field `z` that is not in the validator.\n\nObject: {x: "a", z: true}\nValidator: v.object({x: v.string(), y: v.optional(v.float64())})',
  );
  assert.equal(check(validator, { x: "a" }), null, "an optional field may be absent");
  assert.equal(
    check(v.object({ inner: v.object({ q: v.null() }) }), { inner: {} }),
    "Object is missing the required field `q`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\nPath: .inner\nObject: {}\nValidator: v.object({q: v.null()})",
  );
});

test("records check keys and values with .keys()/.values() paths", () => {
  const validator = v.record(v.string(), v.number());
  assert.equal(check(validator, { a: 1, b: 2 }), null);
  assert.equal(
    check(validator, { a: 1, b: "no" }),
    'Value does not match validator.\nPath: .values()\nValue: "no"\nValidator: v.float64()',
  );
  assert.equal(
    check(v.record(v.id("users"), v.boolean()), { [idFor(10001)]: true, hello: true }),
    'Value does not match validator.\nPath: .keys()\nValue: "hello"\nValidator: v.id("users")',
  );
  assert.equal(
    check(validator, "x"),
    'Value does not match validator.\n\nValue: "x"\nValidator: v.record(v.string(), v.float64())',
  );
});

test("unions: any option passes; a one-option union reports its option's error", () => {
  const validator = v.union(v.string(), v.null(), v.object({ k: v.literal("a") }));
  assert.equal(check(validator, null), null);
  assert.equal(check(validator, { k: "a" }), null);
  assert.equal(
    check(validator, 3),
    'Value does not match validator.\n\nValue: 3.0\nValidator: v.union(v.string(), v.null(), v.object({k: v.literal("a")}))',
  );
  assert.equal(
    validateValue({ type: "union", value: [{ type: "string" }] }, 3, ctx),
    "Value does not match validator.\n\nValue: 3.0\nValidator: v.string()",
  );
});

test("literals compare Convex values exactly", () => {
  assert.equal(check(v.literal("a"), "b"), '`"b"` does not match literal validator `v.literal("a")`.');
  assert.equal(
    check(v.object({ k: v.literal(2) }), { k: json(2n) }),
    "`2` does not match literal validator `v.literal(2.0)`.Path: .k",
  );
  assert.equal(check(v.literal(2n), 2), "`2.0` does not match literal validator `v.literal(<bigint>)`.");
  assert.equal(check(v.literal(0), json(-0)), "`-0.0` does not match literal validator `v.literal(0.0)`.");
  assert.equal(check(v.literal(false), false), null);
});

test("ids: right table passes, wrong table and system table have their own texts", () => {
  const user = idFor(10001, 7);
  const message = idFor(10002, 7);
  const file = idFor(540, 1);
  assert.equal(check(v.id("users"), user), null);
  assert.equal(
    check(v.id("users"), message),
    `Found ID "${message}" from table \`messages\`, which does not match the table name in validator \`v.id("users")\`.`,
  );
  assert.equal(
    check(v.object({ author: v.id("users") }), { author: message }),
    `Found ID "${message}" from table \`messages\`, which does not match the table name in validator \`v.id("users")\`.Path: .author`,
  );
  assert.equal(
    check(v.id("users"), file),
    `Found ID "${file}" from a system table, which does not match the table name in validator \`v.id("users")\`.`,
  );
  assert.equal(
    check(v.id("users"), "default"),
    'Value does not match validator.\n\nValue: "default"\nValidator: v.id("users")',
  );
  assert.equal(
    check(v.id("users"), idFor(20000)),
    `Value does not match validator.\n\nValue: "${idFor(20000)}"\nValidator: v.id("users")`,
  );
  assert.equal(check(v.id("users"), 3), 'Value does not match validator.\n\nValue: 3.0\nValidator: v.id("users")');
});

test("values print as the Rust backend prints them", () => {
  assert.equal(displayValue(1), "1.0");
  assert.equal(displayValue(0.5), "0.5");
  assert.equal(displayValue(1e16), "1e16");
  assert.equal(displayValue(1.5e-7), "1.5e-7");
  assert.equal(displayValue(123456789), "123456789.0");
  assert.equal(displayValue(json(Number.NaN)), "NaN");
  assert.equal(displayValue(json(-Infinity)), "-inf");
  assert.equal(displayValue(json(-0)), "-0.0");
  assert.equal(displayValue(json(-42n)), "-42");
  assert.equal(displayValue(json(new Uint8Array([1, 2, 3]).buffer)), 'b"AQID"');
  assert.equal(displayValue('a"b\\c\nd\u0001'), '"a\\"b\\\\c\\nd\\u{1}"');
  assert.equal(displayValue("héllo ✓"), '"héllo ✓"');
  assert.equal(displayValue({ b: [1, null], a: { c: true } }), "{a: {c: true}, b: [1.0, null]}");
  assert.equal(displayValue([]), "[]");
  assert.equal(
    displayValidator(
      vj(v.object({ r: v.optional(v.float64()), q: v.array(v.bytes()), u: v.union(v.int64(), v.any()) })),
    ),
    "v.object({q: v.array(v.bytes()), r: v.optional(v.float64()), u: v.union(v.int64(), v.any())})",
  );
  assert.equal(displayValidator(vj(v.literal(1e20))), "v.literal(1e20)");
  assert.equal(displayValidator(vj(v.literal(0.00001))), "v.literal(0.00001)");
});

test("commitTs validator accepts int64 and the commit-time placeholder", () => {
  assert.equal(check(v.commitTs(), json(5n)), null);
  assert.equal(check(v.commitTs(), { $commitTs: null }), null);
  assert.equal(check(v.commitTs(), 5), "Value does not match validator.\n\nValue: 5.0\nValidator: v.commitTs()");
});

test("argument validation: prefix, any, non-object arguments", () => {
  const args = vj(v.object({ body: v.string() }));
  assert.equal(validateArgs(args, { body: "hi" }, ctx), null);
  assert.equal(
    validateArgs(args, {}, ctx),
    "ArgumentValidationError: Object is missing the required field `body`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {}\nValidator: v.object({body: v.string()})",
  );
  assert.equal(
    validateArgs(args, { body: "x", extra: 1 }, ctx),
    'ArgumentValidationError: Object contains extra field `extra` that is not in the validator.\n\nObject: {body: "x", extra: 1.0}\nValidator: v.object({body: v.string()})',
  );
  assert.equal(validateArgs({ type: "any" }, { whatever: 1 }, ctx), null);
  assert.equal(
    validateArgs(args, [1], ctx),
    "Expected to receive an object as the function's argument. Instead received: [1.0]",
  );
});

test("return validation: prefix; null validator means unchecked", () => {
  assert.equal(validateReturns(null, { any: "thing" }, ctx), null);
  assert.equal(validateReturns(vj(v.array(v.string())), ["a"], ctx), null);
  assert.equal(
    validateReturns(vj(v.array(v.string())), ["a", 2], ctx),
    "ReturnsValidationError: Value does not match validator.\nPath: [1]\nValue: 2.0\nValidator: v.string()",
  );
});

test("documents: system fields allowed, schema message wraps the validation error", () => {
  const users = vj(v.object({ name: v.string(), tenantId: v.optional(v.id("users")) }));
  const base = { _id: idFor(10001, 1), _creationTime: 1700000000000.5 };
  assert.equal(validateDocument("users", users, { ...base, name: "Ada" }, ctx), null);
  assert.equal(
    validateDocument("users", users, { ...base, name: "Ada", tenantId: "default" }, ctx),
    'Failed to insert or update a document in table "users" because it does not match the schema: Value does not match validator.\nPath: .tenantId\nValue: "default"\nValidator: v.id("users")',
  );
  assert.equal(
    validateDocument("users", users, { ...base }, ctx),
    'Failed to insert or update a document in table "users" because it does not match the schema: Object is missing the required field `name`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {}\nValidator: v.object({name: v.string(), tenantId: v.optional(v.id("users"))})',
  );
  // A union-of-objects table, and a schema that names the system fields itself.
  const shapes = vj(v.union(v.object({ kind: v.literal("a") }), v.object({ kind: v.literal("b"), n: v.number() })));
  assert.equal(validateDocument("t", shapes, { ...base, kind: "b", n: 1 }, ctx), null);
  assert.match(
    validateDocument("t", shapes, { ...base, kind: "c" }, ctx) ?? "",
    /does not match the schema: Value does not match validator\./,
  );
  const named = {
    type: "object",
    value: {
      _id: { fieldType: { type: "id", tableName: "users" }, optional: false },
      a: { fieldType: { type: "string" }, optional: false },
    },
  } as ValidatorJSON;
  assert.equal(validateDocument("users", named, { ...base, a: "x" }, ctx), null);
  assert.equal(validateDocument("users", null, { ...base, anything: 1 }, ctx), null);
  assert.equal(validateDocument("users", { type: "any" }, { ...base, anything: 1 }, ctx), null);
});
