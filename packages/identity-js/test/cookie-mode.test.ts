/**
 * Cookie mode, the browsers' transport, driven from Node with a fetch that behaves like a browser
 * page on an allowed origin: it sends `Origin`, keeps the identity origin's cookies and never sees
 * the client token in JavaScript (no Authorization header either way).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSetCookie } from "cookie";
import { AuthApiError, createTandem } from "@tandem/js";
import { startIdentity } from "../../../test/support/identity.js";
import { signUpWithCode } from "./support/flows.js";

function browserLikeFetch(origin: string) {
  const jar = new Map<string, string>();
  const seen: { authorization: string | null; credentials: RequestCredentials | undefined }[] = [];
  const f: typeof fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    seen.push({ authorization: headers.get("authorization"), credentials: init.credentials });
    headers.set("origin", origin);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(input, { ...init, headers });
    for (const sc of res.headers.getSetCookie()) {
      const c = parseSetCookie(sc);
      if (c.value !== undefined) jar.set(c.name, c.value);
    }
    return res;
  };
  return { fetch: f, jar, seen };
}

test("cookie mode: the HttpOnly client cookie carries the client; credentials are included", async (t) => {
  const origin = "http://127.0.0.1:5173";
  const identity = await startIdentity({ allowedOrigins: [origin] });
  t.after(() => identity.stop());
  const page = browserLikeFetch(origin);
  const tandem = createTandem({
    publishableKey: identity.publishableKey,
    transport: "cookie",
    crossTabSync: false,
    fetch: page.fetch,
  });
  t.after(() => tandem.destroy());
  await tandem.load();
  await signUpWithCode(tandem, identity, "cookie@example.com");
  assert.equal(tandem.authState.value.status, "signedIn");
  assert.ok(page.jar.has("__client"), "the identity service set its cookie");
  assert.ok(page.seen.every((r) => r.authorization === null && r.credentials === "include"));
  assert.ok(await tandem.getToken({ skipCache: true }));

  // A reload of the page: a new SDK instance with the same cookie jar is signed in.
  const reloaded = createTandem({
    publishableKey: identity.publishableKey,
    transport: "cookie",
    crossTabSync: false,
    fetch: page.fetch,
  });
  t.after(() => reloaded.destroy());
  await reloaded.load();
  assert.equal(reloaded.session?.id, tandem.session?.id);
  await reloaded.signOut();
  await tandem.reload();
  assert.equal(tandem.authState.value.status, "signedOut", "the shared cookie's client is signed out for both");
});

test("cookie mode from an origin the service does not allow: refused with origin_invalid", async (t) => {
  const identity = await startIdentity({ allowedOrigins: ["http://127.0.0.1:5173"] });
  t.after(() => identity.stop());
  const page = browserLikeFetch("http://evil.example");
  const tandem = createTandem({
    publishableKey: identity.publishableKey,
    transport: "cookie",
    crossTabSync: false,
    fetch: page.fetch,
  });
  t.after(() => tandem.destroy());
  await tandem.load();
  await assert.rejects(
    tandem.signUp.create({ emailAddress: "x@example.com", password: "correct horse battery staple" }),
    (e: unknown) => e instanceof AuthApiError && e.code === "origin_invalid" && e.httpStatus === 403,
  );
});
