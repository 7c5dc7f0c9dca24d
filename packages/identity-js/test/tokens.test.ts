/**
 * The token cache against a real server with short-lived tokens (4 s): a token is served from the
 * cache while fresh, a token that is being read is re-minted in the background before it goes
 * stale (so the reader does not wait), concurrent readers share one mint, and a session ended
 * on the server yields `null` and a signed-out state.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTandem, decodeJwtClaims } from "@tandem/js";
import { startIdentity } from "../../../test/support/identity.js";
import { signUpWithCode } from "./support/flows.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("cached until exp − leeway, refreshed in the background, one mint for concurrent readers", async (t) => {
  // Header mode sends `_is_native=1`: its tokens get the native lifetime, shortened here too.
  const identity = await startIdentity({ sessionTokenLifetimeSeconds: 4, nativeSessionTokenLifetimeSeconds: 4 });
  t.after(() => identity.stop());
  const mints: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (/\/tokens(\/|\?|$)/.test(url)) mints.push(url);
    return fetch(input, init);
  };
  const tandem = createTandem({ publishableKey: identity.publishableKey, fetch: countingFetch });
  t.after(() => tandem.destroy());
  await tandem.load();
  await signUpWithCode(tandem, identity, "cache@example.com");

  // The last active token from the client seeds the cache: no mint needed.
  const seeded = await tandem.getToken();
  assert.equal(mints.length, 0, "served from last_active_token");
  const claims = decodeJwtClaims(seeded!)!;
  assert.equal(claims.exp! - claims.iat!, 4);

  // Concurrent readers with skipCache get distinct fresh tokens; without, they share one.
  mints.length = 0;
  const [x, y] = await Promise.all([tandem.getToken({ skipCache: true }), tandem.getToken({ skipCache: true })]);
  assert.notEqual(x, y);
  assert.equal(mints.length, 2);
  tandem.getToken({ template: "convex" }); // starts a mint
  const [p, q] = await Promise.all([tandem.getToken({ template: "convex" }), tandem.getToken({ template: "convex" })]);
  assert.equal(p, q);
  assert.equal(mints.length, 3, "one template mint for three readers");

  // Read the session token now; with a 4 s lifetime the leeway is 1 s, so it goes stale 3 s
  // after iat and is re-minted in the background about 1 s before that.
  mints.length = 0;
  const before = await tandem.getToken();
  const beforeClaims = decodeJwtClaims(before!)!;
  const staleAt = (beforeClaims.exp! - 1) * 1000;
  await sleep(Math.max(0, staleAt - Date.now()) + 100);
  assert.ok(
    mints.some((u) => !u.includes("/tokens/")),
    "a background mint of the session token happened",
  );
  const mintsBeforeRead = mints.length;
  const after = await tandem.getToken();
  assert.equal(mints.length, mintsBeforeRead, "the reader was served by the background mint, not a mint of its own");
  assert.notEqual(after, before);
  assert.ok(decodeJwtClaims(after!)!.iat! >= beforeClaims.iat!);
  assert.ok(decodeJwtClaims(after!)!.exp! * 1000 > Date.now() + 500, "the cached token is not about to expire");
});

test("a session ended on the server: getToken gives null and the state turns signed out", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const tandem = createTandem({ publishableKey: identity.publishableKey });
  t.after(() => tandem.destroy());
  await tandem.load();
  await signUpWithCode(tandem, identity, "ended@example.com");
  const sessionId = tandem.session!.id;
  // End it through the Backend API, as an admin would.
  const res = await fetch(`${identity.url}/backend/v1/sessions/${sessionId}/revoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${identity.secretKey}` },
  });
  assert.equal(res.status, 200);
  assert.equal(await tandem.getToken({ skipCache: true }), null);
  assert.equal(tandem.authState.value.status, "signedOut");
});
