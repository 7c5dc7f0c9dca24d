import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compareValues } from "convex/values";
import {
  fromConvexJSON,
  fromConvexJSONOrUndefined,
  getFieldPath,
  getJSONFieldPath,
  toConvexJSON,
} from "../src/index.js";
import { sameNaNs, value } from "./arbitraries.js";

test("Convex JSON round-trips through the official codec", () => {
  fc.assert(
    fc.property(value, (v) => {
      const json = JSON.parse(JSON.stringify(toConvexJSON(v)));
      assert.equal(compareValues(sameNaNs(fromConvexJSON(json)), sameNaNs(v)), 0);
    }),
    { numRuns: 1000 },
  );
  assert.deepEqual(toConvexJSON(1n), { $integer: "AQAAAAAAAAA=" });
  assert.equal(fromConvexJSONOrUndefined({ $undefined: null }), undefined);
  assert.equal(fromConvexJSONOrUndefined(null), null);
});

test("field paths: nested objects, missing parts and non-objects give undefined", () => {
  const doc = { _id: "x", _creationTime: 1, n: { $integer: "AQAAAAAAAAA=" } };
  const json = toConvexJSON({ a: { b: { c: 5n }, arr: [1, 2] }, s: "x" }) as Record<string, never>;
  assert.equal(getJSONFieldPath(json, "a.b.c"), 5n);
  assert.deepEqual(getJSONFieldPath(json, "a.arr"), [1, 2]);
  assert.equal(getJSONFieldPath(json, "a.arr.0"), undefined);
  assert.equal(getJSONFieldPath(json, "a.b.c.d"), undefined);
  assert.equal(getJSONFieldPath(json, "s.length"), undefined);
  assert.equal(getJSONFieldPath(json, "missing"), undefined);
  assert.equal(getJSONFieldPath(doc, "n"), 1n);
  assert.equal(getJSONFieldPath(doc, "n.$integer"), undefined);
  assert.equal(getJSONFieldPath(json, "a.toString"), undefined);
  const val = { a: { b: { c: 5n } }, bytes: new ArrayBuffer(2) };
  assert.equal(getFieldPath(val, "a.b.c"), 5n);
  assert.equal(getFieldPath(val, ["a", "b"]) !== undefined, true);
  assert.equal(getFieldPath(val, "bytes.byteLength"), undefined);
  assert.equal(getFieldPath(null, "a"), undefined);
});
