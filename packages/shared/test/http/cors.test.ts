import assert from "node:assert/strict";
import { test } from "node:test";
import { corsHeaders, preflightHeaders, type CorsPolicy } from "../../src/http/index.js";

const open: CorsPolicy = { allows: () => true, methods: "GET,POST", maxAgeSeconds: 86400 };
const restricted: CorsPolicy = {
  allows: (o) => o === "https://app.test",
  methods: "GET, POST",
  maxAgeSeconds: 600,
  exposeHeaders: "authorization",
  restricted: true,
  defaultAllowHeaders: "content-type, authorization",
};

test("an open policy reflects any origin with credentials, and sends nothing without an origin", () => {
  assert.deepEqual(corsHeaders(open, "https://x.test"), {
    "access-control-allow-origin": "https://x.test",
    "access-control-allow-credentials": "true",
    vary: "Origin",
  });
  assert.deepEqual(corsHeaders(open, undefined), {});
  assert.deepEqual(preflightHeaders(open, undefined, "content-type,convex-client"), {
    "access-control-allow-methods": "GET,POST",
    "access-control-max-age": "86400",
    "access-control-allow-headers": "content-type,convex-client",
  });
});

test("a restricted policy answers only allowed origins, always varies, and never reflects a malformed header list", () => {
  assert.deepEqual(corsHeaders(restricted, "https://evil.test"), { vary: "Origin" });
  assert.deepEqual(preflightHeaders(restricted, undefined, "x"), { vary: "Origin" });
  assert.deepEqual(preflightHeaders(restricted, "https://evil.test", "x"), { vary: "Origin" });
  const ok = preflightHeaders(restricted, "https://app.test", "content-type\r\nx-injected: 1");
  assert.equal(ok["access-control-allow-origin"], "https://app.test");
  assert.equal(ok["access-control-expose-headers"], "authorization");
  assert.equal(ok["access-control-allow-headers"], "content-type, authorization");
});
