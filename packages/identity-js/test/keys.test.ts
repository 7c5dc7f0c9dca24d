/** Publishable keys as the identity service makes them decode to its Frontend API URL. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { publishableKey } from "@tandem/identity";
import { AuthClientError, createTandem, decodePublishableKey } from "@tandem/js";

test("keys of both instance kinds decode to the issuer's URL", () => {
  assert.deepEqual(decodePublishableKey(publishableKey("development", "http://127.0.0.1:3212")), {
    instance: "development",
    frontendApi: "http://127.0.0.1:3212",
  });
  assert.deepEqual(decodePublishableKey(publishableKey("production", "https://auth.example.com")), {
    instance: "production",
    frontendApi: "https://auth.example.com",
  });
  assert.equal(
    decodePublishableKey(publishableKey("development", "http://localhost:3212")).frontendApi,
    "http://localhost:3212",
  );
  assert.equal(
    decodePublishableKey(publishableKey("production", "https://example.com/identity")).frontendApi,
    "https://example.com/identity",
  );
  // Clerk's own keys decode the same way (host + "$", https).
  assert.equal(
    decodePublishableKey("pk_test_" + btoa("verb-noun-00.clerk.accounts.dev$")).frontendApi,
    "https://verb-noun-00.clerk.accounts.dev",
  );
});

test("anything else is a clear error, and frontendApi overrides the key's host", () => {
  for (const bad of [
    "",
    "sk_test_abc",
    "pk_test_",
    "pk_test_" + btoa("no-dollar"),
    "pk_test_" + btoa("a$b$"),
    "pk_live_!!!",
  ]) {
    assert.throws(
      () => decodePublishableKey(bad),
      (e: unknown) => e instanceof AuthClientError && e.code === "invalid_publishable_key",
      bad,
    );
  }
  const t = createTandem({
    publishableKey: publishableKey("development", "http://127.0.0.1:3212"),
    frontendApi: "http://127.0.0.1:9999/auth/",
  });
  assert.equal(t.frontendApi, "http://127.0.0.1:9999/auth");
  t.destroy();
});
