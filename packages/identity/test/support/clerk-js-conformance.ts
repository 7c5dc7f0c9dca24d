/**
 * Conformance: the unmodified @clerk/clerk-js (pinned 5.x and 6.x) loads against us, signs in
 * with a password, gets `form_password_incorrect` for a wrong one, mints session and `convex`
 * tokens (`skipCache` always mints), and signs out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { startTestServer } from "./server.js";
import { FapiClient } from "./fapi-client.js";
import { signUp, PASSWORD } from "./flows.js";
import { bootClerk, PAGE_ORIGIN } from "./clerk-js.js";

export function runClerkJsConformance(pkg: "clerk-js-5" | "clerk-js-6") {
  test(`${pkg} drives the Frontend API unmodified`, async (t) => {
    const server = await startTestServer({ allowedOrigins: [PAGE_ORIGIN] });
    t.after(() => server.stop());
    await signUp(new FapiClient(server.url, "header"), server, "jane@example.com", {
      first_name: "Jane",
      last_name: "Doe",
    });

    const { clerk, jar } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });
    assert.equal(clerk.loaded, true);
    assert.equal(clerk.session ?? null, null);

    const si = await clerk.client.signIn.create({ identifier: "jane@example.com" });
    assert.equal(si.status, "needs_first_factor");
    assert.ok(si.supportedFirstFactors.some((f: any) => f.strategy === "password"));

    await assert.rejects(
      clerk.client.signIn.attemptFirstFactor({ strategy: "password", password: "wrong password!" }),
      (e: any) => e.errors?.[0]?.code === "form_password_incorrect",
    );

    const cookieBefore = jar.cookies.get("__client");
    const done = await clerk.client.signIn.attemptFirstFactor({ strategy: "password", password: PASSWORD });
    assert.equal(done.status, "complete");
    assert.ok(done.createdSessionId);
    assert.notEqual(jar.cookies.get("__client"), cookieBefore, "client cookie rotates at sign-in");

    await clerk.setActive({ session: done.createdSessionId });
    assert.equal(clerk.session.id, done.createdSessionId);
    assert.equal(clerk.user.fullName, "Jane Doe");
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, "jane@example.com");
    assert.equal(clerk.session.lastActiveToken.jwt.claims.aud, "convex");

    const t1 = await clerk.session.getToken();
    const t2 = await clerk.session.getToken({ skipCache: true });
    assert.ok(t1 && t2);
    assert.notEqual(t1, t2, "skipCache mints a new token");
    const convex = await clerk.session.getToken({ template: "convex", skipCache: true });
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(convex, jwks, { issuer: server.issuer, audience: "convex" });
    assert.equal(payload.email, "jane@example.com");
    assert.equal(payload.name, "Jane Doe");
    assert.equal(payload.sub, clerk.user.id);
    const session = await jwtVerify(t2, jwks, { issuer: server.issuer, audience: "convex" });
    assert.equal(session.payload.sid, clerk.session.id);
    assert.equal(session.payload.azp, PAGE_ORIGIN);

    await clerk.signOut();
    assert.equal(clerk.session ?? null, null);
    assert.ok(jar.calls.includes("DELETE /v1/client/sessions"), jar.calls.join("\n"));
    // The signed-out session can mint nothing any more.
    const again = await fetch(`${server.url}/v1/client/sessions/${done.createdSessionId}/tokens`, {
      method: "POST",
      headers: { cookie: `__client=${jar.cookies.get("__client")}` },
    });
    assert.equal(again.status, 401);
  });
}
