/** Clerk's JWT-template shortcodes: whole-value types, interpolation, dot paths, fallbacks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isValidExpression, renderClaims, renderValue } from "../src/tokens/shortcodes.js";

const ctx = {
  user: {
    id: "user_1",
    first_name: "John",
    last_name: null,
    full_name: "John",
    email_verified: true,
    public_metadata: { profile: { interests: ["a", "b"] }, tier: 2 },
    created_at: 1700000000,
  },
};

test("whole-value shortcodes keep their type", () => {
  assert.equal(renderValue("{{user.email_verified}}", ctx), true);
  assert.equal(renderValue("{{ user.created_at }}", ctx), 1700000000);
  assert.deepEqual(renderValue("{{user.public_metadata.profile.interests}}", ctx), ["a", "b"]);
  assert.deepEqual(renderValue("{{user.public_metadata}}", ctx), ctx.user.public_metadata);
  assert.equal(renderValue("{{user.nope}}", ctx), null);
  assert.equal(renderValue("{{user.public_metadata.profile.interests.x}}", ctx), null);
});

test("interpolation yields strings, with null for missing values", () => {
  assert.equal(renderValue("{{user.last_name}} {{user.first_name}}", ctx), "null John");
  assert.equal(renderValue("tier-{{user.public_metadata.tier}}", ctx), "tier-2");
  assert.equal(renderValue("plain", ctx), "plain");
});

test("fallback chains take the first non-empty value", () => {
  assert.equal(renderValue("{{user.last_name || 'Anonymous'}}", ctx), "Anonymous");
  assert.equal(renderValue("{{user.last_name || user.first_name || 'x'}}", ctx), "John");
  assert.equal(renderValue("{{user.nope || 42}}", ctx), 42);
  assert.equal(renderValue("{{user.nope || false}}", ctx), false);
  assert.equal(renderValue("{{user.nope || 'a || b'}}", ctx), "a || b");
});

test("nested claims render; null top-level claims are left out", () => {
  assert.deepEqual(renderClaims({ a: { b: ["{{user.id}}", 1] }, c: "{{user.last_name}}", d: null }, ctx), {
    a: { b: ["user_1", 1] },
  });
});

test("expression validation", () => {
  assert.ok(isValidExpression("user.first_name || 'x'"));
  assert.ok(!isValidExpression("user.first_name; drop table"));
  assert.ok(!isValidExpression(""));
});
