/**
 * The unmodified `@clerk/backend` against our Backend API: `verifyToken` with `jwtKey` (PEM, no
 * network) and with `apiUrl` + `secretKey` (JWKS from `GET /backend/v1/jwks`); `createClerkClient`
 * lists, counts, updates users and metadata, bans (→ no new token), revokes sessions, and manages
 * JWT templates.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClerkClient, verifyToken } from "@clerk/backend";
import { exportSPKI, importJWK } from "jose";
import { startTestServer } from "./support/server.js";
import { FapiClient, bapi, claimsOf } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";

test("@clerk/backend verifies our tokens and manages users, sessions and templates", async (t) => {
  const server = await startTestServer({ allowedOrigins: ["http://app.test"] });
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header", "http://app.test");
  const sid = await signUp(c, server, "dee@example.com", { first_name: "Dee" });
  const token = (await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt;

  // verifyToken with apiUrl: JWKS comes from our Backend API with the secret key.
  const apiUrl = `${server.url}/backend`;
  const viaApi = await verifyToken(token, {
    secretKey: server.secretKey,
    apiUrl,
    authorizedParties: ["http://app.test"],
  });
  assert.equal(viaApi.sid, sid);
  assert.equal(viaApi.azp, "http://app.test");
  await assert.rejects(verifyToken(token, { secretKey: "sk_test_wrong", apiUrl, skipJwksCache: true }));

  // verifyToken with jwtKey: the PEM of our JWKS key, networkless (assumes 2048-bit, e=AQAB).
  const jwks = (await bapi(server.url, server.secretKey, "GET", "/jwks")).body;
  assert.equal(jwks.keys[0].e, "AQAB");
  const pem = await exportSPKI((await importJWK(jwks.keys[0], "RS256")) as CryptoKey);
  const viaPem = await verifyToken(token, { jwtKey: pem, audience: "convex" });
  assert.equal(viaPem.sub, claimsOf(token).sub);

  const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl });
  const list = await clerk.users.getUserList();
  assert.equal(list.totalCount, 1);
  assert.equal(list.data[0]!.emailAddresses[0]!.emailAddress, "dee@example.com");
  const userId = list.data[0]!.id;

  const created = await clerk.users.createUser({
    emailAddress: ["eve@example.com"],
    password: "eve's long password",
    firstName: "Eve",
  });
  assert.equal(created.firstName, "Eve");
  const found = await clerk.users.getUserList({ emailAddress: ["eve@example.com"] });
  assert.equal(found.data.length, 1);
  const searched = await clerk.users.getUserList({ query: "dee" });
  assert.deepEqual(
    searched.data.map((u) => u.id),
    [userId],
  );
  assert.equal(await clerk.users.getCount(), 2);

  const updated = await clerk.users.updateUser(userId, { lastName: "Dawson" });
  assert.equal(updated.lastName, "Dawson");
  const merged = await clerk.users.updateUserMetadata(userId, { publicMetadata: { role: "admin", plan: { tier: 1 } } });
  assert.deepEqual(merged.publicMetadata, { role: "admin", plan: { tier: 1 } });
  const merged2 = await clerk.users.updateUserMetadata(userId, {
    publicMetadata: { plan: { seats: 3 } },
    privateMetadata: { note: "vip" },
  });
  assert.deepEqual(merged2.publicMetadata, { role: "admin", plan: { tier: 1, seats: 3 } });
  assert.deepEqual(merged2.privateMetadata, { note: "vip" });
  // Public metadata shows up through templates; private metadata never reaches the frontend.
  const me = await c.get("/v1/me");
  assert.deepEqual(me.body.response.public_metadata, { role: "admin", plan: { tier: 1, seats: 3 } });
  assert.equal(me.body.response.private_metadata, undefined);

  // Sessions: list and revoke → no new token.
  const sessions = await clerk.sessions.getSessionList({ userId });
  assert.equal(sessions.data.length, 1);
  assert.equal(sessions.data[0]!.id, sid);
  const revoked = await clerk.sessions.revokeSession(sid);
  assert.equal(revoked.status, "revoked");
  assert.equal((await c.post(`/v1/client/sessions/${sid}/tokens`)).status, 401);

  // Ban: the user's sessions end and a new sign-in is refused.
  const c2 = new FapiClient(server.url, "header");
  const s2 = (await c2.post("/v1/client/sign_ins", { identifier: "eve@example.com", password: "eve's long password" }))
    .body.response.created_session_id;
  assert.ok(s2);
  const banned = await clerk.users.banUser(created.id);
  assert.equal(banned.banned, true);
  assert.equal((await c2.post(`/v1/client/sessions/${s2}/tokens`)).status, 401);
  const refused = await new FapiClient(server.url, "header").post("/v1/client/sign_ins", {
    identifier: "eve@example.com",
    password: "eve's long password",
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.errors[0].code, "user_banned");
  assert.equal((await clerk.users.unbanUser(created.id)).banned, false);

  // Lock / unlock.
  assert.equal((await clerk.users.lockUser(created.id)).locked, true);
  const locked = await new FapiClient(server.url, "header").post("/v1/client/sign_ins", {
    identifier: "eve@example.com",
    password: "eve's long password",
  });
  assert.equal(locked.body.errors[0].code, "user_locked");
  assert.equal((await clerk.users.unlockUser(created.id)).locked, false);

  // JWT templates CRUD.
  const templates = await clerk.jwtTemplates.list();
  assert.ok(templates.data.some((t) => t.name === "convex"));
  const tpl = await clerk.jwtTemplates.create({
    name: "hasura",
    claims: { role: "{{user.public_metadata.role || 'user'}}", greeting: "hi {{user.first_name}}" },
    lifetime: 120,
    allowedClockSkew: 10,
  });
  assert.equal(tpl.lifetime, 120);
  const fetched = await clerk.jwtTemplates.get(tpl.id);
  assert.equal(fetched.name, "hasura");
  const patched = await clerk.jwtTemplates.update({
    templateId: tpl.id,
    name: "hasura",
    claims: { role: "{{user.public_metadata.role}}" },
    lifetime: 300,
  });
  assert.equal(patched.lifetime, 300);
  assert.equal(
    (await bapi(server.url, server.secretKey, "POST", "/jwt_templates", { name: "bad", claims: { sub: "x" } })).body
      .errors[0].code,
    "reserved_claim",
  );
  assert.equal(
    (await bapi(server.url, server.secretKey, "POST", "/jwt_templates", { name: "hasura", claims: {} })).body.errors[0]
      .code,
    "template_name_taken",
  );
  await clerk.jwtTemplates.delete(tpl.id);
  assert.equal((await bapi(server.url, server.secretKey, "GET", `/jwt_templates/${tpl.id}`)).status, 404);

  // Delete.
  // Typed as a User by @clerk/backend, but it resolves to the API's deleted object ({ object, id, deleted }).
  const del = (await clerk.users.deleteUser(created.id)) as unknown as { readonly deleted: boolean };
  assert.equal(del.deleted, true);
  assert.equal(await clerk.users.getCount(), 1);

  // The Backend API needs the secret key.
  assert.equal((await bapi(server.url, "sk_test_nope", "GET", "/users")).status, 401);
  assert.equal((await fetch(`${server.url}/backend/v1/users`)).status, 401);
});
