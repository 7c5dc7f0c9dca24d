import { test } from "node:test";
import assert from "node:assert/strict";
import { isTandemError } from "@tandem/shared";
import {
  checkAdminKey,
  createAuthVerifier,
  parseAuthorizationHeader,
  parseImpersonation,
} from "../../src/auth/index.js";
import { identityFromRequest, type RequestAuthenticator } from "../../src/http/identity.js";
import { rejectsWith } from "./helpers.js";

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString("base64");

test("checkAdminKey compares exactly", () => {
  assert.equal(checkAdminKey("secret-key", "secret-key"), true);
  assert.equal(checkAdminKey("secret-kez", "secret-key"), false);
  assert.equal(checkAdminKey("secret", "secret-key"), false);
  assert.equal(checkAdminKey("", "secret-key"), false);
  assert.equal(checkAdminKey("dev:name|0123abc", "dev:name|0123abc"), true);
});

test("Authorization header forms", () => {
  assert.deepEqual(parseAuthorizationHeader(undefined), { kind: "none" });
  assert.deepEqual(parseAuthorizationHeader(""), { kind: "none" });
  assert.deepEqual(parseAuthorizationHeader("Bearer abc.def.ghi"), { kind: "user", token: "abc.def.ghi" });
  assert.deepEqual(parseAuthorizationHeader("bearer   tok "), { kind: "user", token: "tok" });
  assert.deepEqual(parseAuthorizationHeader("Convex my-key"), { kind: "admin", key: "my-key", actingAs: null });
  assert.deepEqual(parseAuthorizationHeader("convex dev:app|abc"), {
    kind: "admin",
    key: "dev:app|abc",
    actingAs: null,
  });
  assert.deepEqual(
    parseAuthorizationHeader(`Convex my-key:${b64({ issuer: "https://i", subject: "u1", name: "Ada" })}`),
    {
      kind: "admin",
      key: "my-key",
      actingAs: { tokenIdentifier: "https://i|u1", issuer: "https://i", subject: "u1", name: "Ada" },
    },
  );
  for (const bad of ["Basic dXNlcjpwYXNz", "Bearer", "Convex ", "Token x"]) {
    try {
      parseAuthorizationHeader(bad);
      assert.fail(`accepted ${bad}`);
    } catch (e) {
      assert.ok(isTandemError(e) && e.code === "InvalidAuthHeader" && e.kind === "Unauthenticated");
    }
  }
});

test("impersonation attributes", () => {
  assert.deepEqual(parseImpersonation({ tokenIdentifier: "t|1", issuer: "t", subject: "1", email: "a@b" }), {
    tokenIdentifier: "t|1",
    issuer: "t",
    subject: "1",
    email: "a@b",
  });
  assert.equal(parseImpersonation({ issuer: "https://x", subject: "s" }).tokenIdentifier, "https://x|s");
  assert.deepEqual(parseImpersonation({ tokenIdentifier: "iss|sub|x" }), {
    tokenIdentifier: "iss|sub|x",
    issuer: "iss",
    subject: "sub|x",
  });
  for (const bad of [null, [], "x", { issuer: "only" }, { tokenIdentifier: 3 }]) {
    assert.throws(
      () => parseImpersonation(bad),
      (e: unknown) => isTandemError(e) && e.code === "InvalidImpersonation",
    );
  }
});

test("identityFromRequest: anonymous, admin, impersonation, bad key", async () => {
  const verifier = createAuthVerifier({ providers: [] });
  const auth: RequestAuthenticator = {
    authenticateUser: (token) => verifier.verify(token),
    checkAdminKey: (key) => checkAdminKey(key, "the-admin-key"),
  };
  const request = (query = "") => ({ target: `/api/query${query}`, url: new URL(`http://x/api/query${query}`) });
  const resolve = (header: string | undefined, query?: string) => identityFromRequest(header, request(query), auth);
  assert.deepEqual(await resolve(undefined), { kind: "none" });
  assert.deepEqual(await resolve("Convex the-admin-key"), { kind: "admin" });
  assert.deepEqual(await resolve(undefined, "?adminKey=the-admin-key"), { kind: "admin" });
  assert.deepEqual(await resolve(`Convex the-admin-key:${b64({ issuer: "i", subject: "s" })}`), {
    kind: "impersonated",
    attributes: { tokenIdentifier: "i|s", issuer: "i", subject: "s" },
  });
  await rejectsWith(resolve("Convex wrong"), "BadAdminKey", "The provided admin key was invalid for this instance");
  await rejectsWith(resolve(undefined, "?adminKey=wrong"), "BadAdminKey");
  await rejectsWith(resolve("Bearer x.y.z"), "InvalidAuthHeader");
});
