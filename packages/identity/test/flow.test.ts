/**
 * Sign-up → verify → sign-in → tokens → sign-out over HTTP, in cookie mode and in header mode;
 * tokens verified by jose through OIDC discovery.
 */
import assert from "node:assert/strict";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { TestServer } from "./support/server.js";
import { dbTest } from "./support/targets.js";
import { FapiClient, claimsOf, type Mode } from "./support/fapi-client.js";
import { signIn, signUp, PASSWORD } from "./support/flows.js";

async function verifyViaDiscovery(server: TestServer, jwt: string) {
  const disco = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
  assert.equal(disco.issuer, server.issuer);
  for (const k of [
    "authorization_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
  ])
    assert.ok(disco[k], `discovery has ${k}`);
  const jwks = createRemoteJWKSet(new URL(disco.jwks_uri));
  return jwtVerify(jwt, jwks, { issuer: disco.issuer, audience: "convex", algorithms: ["RS256"] });
}

for (const mode of ["cookie", "header"] as Mode[]) {
  dbTest(`full flow in ${mode} mode`, async (t, startTestServer) => {
    const server = await startTestServer();
    t.after(() => server.stop());
    const c = new FapiClient(server.url, mode);

    const env = await c.get("/v1/environment");
    assert.equal(env.status, 200);
    assert.equal(env.body.display_config.instance_environment_type, "development");
    const none = await c.get("/v1/client");
    // Header mode creates the client (native SDKs decode `response` as a non-null client).
    if (mode === "cookie") assert.deepEqual(none.body, { response: null, client: null });
    else
      assert.deepEqual(
        [none.body.response.object, none.body.response.sessions, c.token?.startsWith(none.body.response.id)],
        ["client", [], true],
      );

    const sessionId = await signUp(c, server, "ada@example.com", { first_name: "Ada", last_name: "Lovelace" });
    if (mode === "cookie") {
      const sc = c.setCookies.join(";");
      assert.match(sc, /__client=/);
      assert.match(sc, /HttpOnly/i);
      assert.match(sc, /SameSite=Lax/i);
    } else assert.match(c.token!, /^client_/);

    const client = await c.get("/v1/client");
    assert.equal(client.body.response.sessions.length, 1);
    assert.equal(client.body.response.last_active_session_id, sessionId);
    const s0 = client.body.response.sessions[0];
    assert.equal(s0.user.email_addresses[0].email_address, "ada@example.com");
    assert.equal(s0.user.email_addresses[0].verification.status, "verified");
    assert.equal(claimsOf(s0.last_active_token.jwt).sid, sessionId);

    // Sign out, then sign in with the password; the client token rotates.
    const out = await c.call("DELETE", "/v1/client/sessions");
    assert.equal(out.status, 200);
    assert.equal(out.body.response.sessions.length, 0);
    const before = mode === "cookie" ? c.cookies.get("__client") : c.token;
    const wrong = await signIn(c, "ada@example.com", "not the password");
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.errors[0].code, "form_password_incorrect");
    assert.equal(wrong.body.errors[0].meta.param_name, "password");
    const ok = await signIn(c, "ADA@example.com");
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.response.status, "complete");
    const sid = ok.body.response.created_session_id;
    assert.equal(ok.body.client.last_active_session_id, sid, "client piggy-backed on non-GET");
    const after = mode === "cookie" ? c.cookies.get("__client") : c.token;
    assert.notEqual(after, before, "client token rotated at sign-in");

    // The old token no longer identifies the client.
    const stale = new FapiClient(server.url, mode);
    if (mode === "cookie") stale.cookies.set("__client", before!);
    else stale.token = before!;
    const staleClient = (await stale.get("/v1/client")).body.response;
    // Cookie mode: no client; header mode: a new, empty client under a new token.
    if (mode === "cookie") assert.equal(staleClient, null);
    else
      assert.deepEqual(
        [staleClient.sessions, staleClient.id === ok.body.client.id, stale.token === before],
        [[], false, false],
      );

    // Session token: Clerk v2 claims + aud + OIDC profile claims, verified through discovery.
    const t1 = (await c.post(`/v1/client/sessions/${sid}/tokens`, { organization_id: "" })).body.jwt;
    const t2 = (await c.post(`/v1/client/sessions/${sid}/tokens?debug=skip_cache`)).body.jwt;
    assert.notEqual(t1, t2);
    const { payload, protectedHeader } = await verifyViaDiscovery(server, t1);
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(protectedHeader.typ, "JWT");
    for (const k of ["azp", "exp", "iat", "iss", "jti", "nbf", "sid", "sub", "v", "fva", "sts"].filter(
      (k) => k !== "azp",
    ))
      assert.ok(k in payload, `claim ${k}`);
    // Native SDKs (`_is_native`, header mode here) get the native lifetime (default 1 h), browsers Clerk's 60 s.
    assert.equal(payload.exp! - payload.iat!, mode === "header" ? 3600 : 60);
    assert.equal(payload.iat! - payload.nbf!, 5);
    assert.equal(payload.v, 2);
    assert.equal(payload.sts, "active");
    assert.deepEqual(payload.fva, [0, -1]);
    assert.equal(payload.sid, sid);
    assert.equal(payload.name, "Ada Lovelace");
    assert.equal(payload.given_name, "Ada");
    assert.equal(payload.family_name, "Lovelace");
    assert.equal(payload.email, "ada@example.com");
    assert.equal(payload.email_verified, true);

    // The convex template.
    const cv = await c.post(`/v1/client/sessions/${sid}/tokens/convex`);
    const convex = await verifyViaDiscovery(server, cv.body.jwt);
    assert.equal(convex.payload.iss, server.issuer);
    assert.equal(convex.payload.aud, "convex");
    assert.equal(convex.payload.sub, payload.sub);
    assert.equal(convex.payload.name, "Ada Lovelace");
    assert.equal(convex.payload.email, "ada@example.com");
    assert.equal(convex.payload.email_verified, true);
    assert.equal((await c.post(`/v1/client/sessions/${sid}/tokens/nope`)).status, 404);

    // touch, /v1/me, then end the session.
    const touched = await c.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: "", intent: "focus" });
    assert.equal(touched.body.response.id, sid);
    const me = await c.get("/v1/me");
    assert.equal(me.body.response.first_name, "Ada");
    const renamed = await c.call("PATCH", "/v1/me", {
      first_name: "Augusta",
      unsafe_metadata: JSON.stringify({ theme: "dark" }),
    });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.response.first_name, "Augusta");
    assert.deepEqual(renamed.body.response.unsafe_metadata, { theme: "dark" });
    const ended = await c.post(`/v1/client/sessions/${sid}/end`);
    assert.equal(ended.body.response.status, "ended");
    assert.equal(ended.body.client.sessions.length, 0);
    const denied = await c.post(`/v1/client/sessions/${sid}/tokens`);
    assert.equal(denied.status, 401);
    assert.equal(denied.body.errors[0].code, "session_ended");
  });
}

dbTest("sign-in by e-mail code and password reset by e-mail code", async (t, startTestServer) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "bo@example.com");
  const c = new FapiClient(server.url, "header");

  const si = await c.post("/v1/client/sign_ins", { identifier: "bo@example.com" });
  assert.equal(si.body.response.status, "needs_first_factor");
  const factor = si.body.response.supported_first_factors.find((f: any) => f.strategy === "email_code");
  assert.equal(factor.safe_identifier, "b***@example.com");
  const id = si.body.response.id;
  await c.post(`/v1/client/sign_ins/${id}/prepare_first_factor`, {
    strategy: "email_code",
    email_address_id: factor.email_address_id,
  });
  const code = (await server.inbox())[0]!.code!;
  const bad = await c.post(`/v1/client/sign_ins/${id}/attempt_first_factor`, {
    strategy: "email_code",
    code: code === "000000" ? "111111" : "000000",
  });
  assert.equal(bad.body.errors[0].code, "form_code_incorrect");
  const ok = await c.post(`/v1/client/sign_ins/${id}/attempt_first_factor`, { strategy: "email_code", code });
  assert.equal(ok.body.response.status, "complete");
  await c.call("DELETE", "/v1/client/sessions");

  // Reset: code → needs_new_password → new password → complete; the old password stops working.
  const r = await c.post("/v1/client/sign_ins", { identifier: "bo@example.com" });
  const rid = r.body.response.id;
  await c.post(`/v1/client/sign_ins/${rid}/prepare_first_factor`, { strategy: "reset_password_email_code" });
  const msg = (await server.inbox())[0]!;
  assert.match(msg.subject, /password reset/);
  const verified = await c.post(`/v1/client/sign_ins/${rid}/attempt_first_factor`, {
    strategy: "reset_password_email_code",
    code: msg.code!,
  });
  assert.equal(verified.body.response.status, "needs_new_password");
  const weak = await c.post(`/v1/client/sign_ins/${rid}/reset_password`, { password: "password123" });
  assert.equal(weak.body.errors[0].code, "form_password_pwned");
  const reset = await c.post(`/v1/client/sign_ins/${rid}/reset_password`, { password: "a brand new passphrase" });
  assert.equal(reset.body.response.status, "complete");
  await c.call("DELETE", "/v1/client/sessions");
  assert.equal((await signIn(c, "bo@example.com", PASSWORD)).body.errors[0].code, "form_password_incorrect");
  assert.equal((await signIn(c, "bo@example.com", "a brand new passphrase")).body.response.status, "complete");
});

dbTest("unknown identifier, taken e-mail, and JSON bodies", async (t, startTestServer) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  const unknown = await signIn(c, "nobody@example.com");
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.errors[0].code, "form_identifier_not_found");
  await signUp(c, server, "cy@example.com");
  const taken = await new FapiClient(server.url, "header").post("/v1/client/sign_ups", {
    email_address: "CY@example.com",
    password: "another long password",
  });
  assert.equal(taken.body.errors[0].code, "form_identifier_exists");
  const json = await new FapiClient(server.url, "header").post(
    "/v1/client/sign_ins",
    JSON.stringify({ identifier: "cy@example.com", password: PASSWORD }),
    { "content-type": "application/json" },
  );
  assert.equal(json.body.response.status, "complete");
});

dbTest(
  "CORS: credentialed only for allowed origins; other origins may not change state",
  async (t, startTestServer) => {
    const server = await startTestServer({ allowedOrigins: ["http://app.test:5173"] });
    t.after(() => server.stop());
    const pre = await fetch(`${server.url}/v1/client/sign_ins`, {
      method: "OPTIONS",
      headers: {
        origin: "http://app.test:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    assert.equal(pre.headers.get("access-control-allow-origin"), "http://app.test:5173");
    assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
    const evilPre = await fetch(`${server.url}/v1/client/sign_ins`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.test" },
    });
    assert.equal(evilPre.headers.get("access-control-allow-origin"), null);
    const evil = await new FapiClient(server.url, "cookie", "http://evil.test").post("/v1/client/sign_ups", {
      email_address: "e@example.com",
      password: PASSWORD,
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.body.errors[0].code, "origin_invalid");
    const good = await new FapiClient(server.url, "cookie", "http://app.test:5173").post("/v1/client/sign_ups", {
      email_address: "g@example.com",
      password: PASSWORD,
    });
    assert.equal(good.status, 200);
    assert.equal(good.headers.get("access-control-allow-origin"), "http://app.test:5173");
    const jwks = await fetch(`${server.url}/.well-known/jwks.json`, { headers: { origin: "http://evil.test" } });
    assert.equal(jwks.headers.get("access-control-allow-origin"), "*");
  },
);
