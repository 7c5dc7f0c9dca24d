/**
 * Fuzzing the in-process checks every client value passes through before a function sees it:
 * request-body parsing (backend and identity) refuses bad input only with the service's own error,
 * and the value-limit check decides on any parsed JSON (however deep) without throwing; a value it
 * accepts can be sized, displayed and keyed without exhausting the stack.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isTandemError } from "@tandem/shared";
import type { ConvexJSON } from "@tandem/storage";
import { parseJsonObject } from "../../packages/backend/src/http/body.js";
import { checkArgsLimits, convexJsonSize, displayValue } from "../../packages/backend/src/values/index.js";
import { stableStringify } from "../../packages/backend/src/subscriptions/query-key.js";
import { parseBody } from "../../packages/identity/src/http/body.js";
import { ApiError } from "../../packages/identity/src/errors.js";
import { inputCounter, runs } from "./support/fuzz.js";
import { corruptText, hostileArgs } from "./support/values.js";

const inputs = inputCounter("values");

/** JSON texts: hostile values, corrupted ones, and nesting built as text up to 100,000 levels. */
const jsonText = fc.oneof(
  { weight: 6, arbitrary: hostileArgs.map((v) => JSON.stringify(v) ?? "null") },
  { weight: 2, arbitrary: hostileArgs.chain((v) => corruptText(JSON.stringify(v) ?? "null")) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 100_000 }), fc.boolean())
      .map(([d, o]) => `{"x":${o ? '{"a":'.repeat(d) + "1" + "}".repeat(d) : "[".repeat(d) + "1" + "]".repeat(d)}}`),
  },
);

test("the value-limit check decides on any JSON without throwing; what it accepts is safe to walk", () => {
  fc.assert(
    fc.property(jsonText, (text) => {
      inputs.add();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return;
      }
      const violation = checkArgsLimits(value as ConvexJSON);
      if (violation === null) {
        assert.equal(typeof convexJsonSize(value as ConvexJSON), "number");
        assert.equal(typeof displayValue(value as ConvexJSON), "string");
      }
      assert.equal(typeof stableStringify(value as ConvexJSON), "string");
    }),
    runs(1000, 2),
  );
});

test("request bodies are refused only with the service's own errors", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        jsonText,
        fc.string({ maxLength: 60, unit: "binary" }),
        fc.constantFrom("a=1&a=2&b[]=3", "%E0%A4%A=1", "=&&=", "{}", "[]", "null"),
      ),
      fc.constantFrom(
        undefined,
        "application/json",
        "application/x-www-form-urlencoded",
        "",
        "text/plain",
        "APPLICATION/JSON; charset=utf-8",
      ),
      (text, type) => {
        inputs.add();
        const raw = Buffer.from(text);
        try {
          parseJsonObject(raw);
        } catch (e) {
          assert.ok(isTandemError(e), String(e));
        }
        try {
          parseBody(type, raw);
        } catch (e) {
          assert.ok(e instanceof ApiError, String(e));
        }
      },
    ),
    runs(1000, 2),
  );
});
