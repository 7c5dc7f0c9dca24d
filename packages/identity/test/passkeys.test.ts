/**
 * Passkeys over the Frontend API as clerk-js calls it (`user.createPasskey()`,
 * `signIn.authenticateWithPasskey()`), with a software authenticator standing in for the
 * browser's: register, list, rename, sign in, delete; a replayed assertion, a wrong origin and
 * garbage are refused with Clerk errors and change nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";

const PAGE = "http://localhost:3000";
const codeOf = (r: { body: any }) => r.body?.errors?.[0]?.code;

test("passkeys: register, sign in, replay refused, rename and delete", async (t) => {
  const server = await startTestServer({ allowedOrigins: [PAGE] });
  t.after(() => server.stop());
  const owner = new FapiClient(server.url, "cookie", PAGE);
  await signUp(owner, server, "kim@example.com");
  const env = await owner.get("/v1/environment");
  assert.equal(env.body.user_settings.attributes.passkey.enabled, true);
  const authenticator = new SoftAuthenticator();

  // Registration.
  const created = await owner.post("/v1/me/passkeys");
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const pk = created.body.response;
  assert.equal(pk.object, "passkey");
  assert.equal(pk.verification.status, "unverified");
  const creation = JSON.parse(pk.verification.nonce);
  assert.equal(creation.rp.id, "localhost");
  const attestation = authenticator.create(creation, PAGE);
  const bad = await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, { strategy: "passkey", public_key_credential: "{not json" });
  assert.equal(codeOf(bad), "form_param_format_invalid");
  const wrongOrigin = await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, { strategy: "passkey", public_key_credential: JSON.stringify(authenticator.create(creation, "http://evil.test")) });
  assert.equal(codeOf(wrongOrigin), "verification_failed");
  const verified = await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, { strategy: "passkey", public_key_credential: JSON.stringify(attestation) });
  assert.equal(verified.body.response.verification.status, "verified", JSON.stringify(verified.body));
  const me = await owner.get("/v1/me");
  assert.equal(me.body.response.passkeys.length, 1);
  const renamed = await owner.call("PATCH", `/v1/me/passkeys/${pk.id}`, { name: "Laptop" });
  assert.equal(renamed.body.response.name, "Laptop");

  // Sign-in on a fresh browser: no identifier, the passkey alone.
  const browser = new FapiClient(server.url, "cookie", PAGE);
  const si = await browser.post("/v1/client/sign_ins", { strategy: "passkey" });
  assert.equal(si.status, 200, JSON.stringify(si.body));
  const request = JSON.parse(si.body.response.first_factor_verification.nonce);
  const assertion = authenticator.get(request, PAGE);
  const done = await browser.post(`/v1/client/sign_ins/${si.body.response.id}/attempt_first_factor`, { strategy: "passkey", public_key_credential: JSON.stringify(assertion) });
  assert.equal(done.body.response.status, "complete", JSON.stringify(done.body));
  const session = done.body.client.sessions[0];
  assert.equal(session.user.email_addresses[0].email_address, "kim@example.com");

  // The same assertion again, on a new attempt (a new challenge): refused, nobody signed in.
  const thief = new FapiClient(server.url, "cookie", PAGE);
  const si2 = await thief.post("/v1/client/sign_ins", { strategy: "passkey" });
  const replay = await thief.post(`/v1/client/sign_ins/${si2.body.response.id}/attempt_first_factor`, { strategy: "passkey", public_key_credential: JSON.stringify(assertion) });
  assert.equal(codeOf(replay), "verification_failed");
  assert.deepEqual((await thief.get("/v1/client")).body.response.sessions, []);
  // And its challenge is spent: a second try on that attempt is refused too.
  const again = await thief.post(`/v1/client/sign_ins/${si2.body.response.id}/attempt_first_factor`, { strategy: "passkey", public_key_credential: JSON.stringify(authenticator.get(JSON.parse(si2.body.response.first_factor_verification.nonce), PAGE)) });
  assert.equal(codeOf(again), "verification_missing");

  // Deleted: the passkey no longer signs in.
  assert.equal((await owner.call("DELETE", `/v1/me/passkeys/${pk.id}`)).body.response.deleted, true);
  const si3 = await browser.post("/v1/client/sign_ins", { strategy: "passkey" });
  const gone = await browser.post(`/v1/client/sign_ins/${si3.body.response.id}/attempt_first_factor`, {
    strategy: "passkey", public_key_credential: JSON.stringify(authenticator.get(JSON.parse(si3.body.response.first_factor_verification.nonce), PAGE)),
  });
  assert.equal(codeOf(gone), "verification_failed");
  assert.equal((await browser.get("/v1/environment")).status, 200, "server up");
});
