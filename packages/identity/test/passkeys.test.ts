/**
 * Passkeys through the unmodified clerk-js 6 and over the Frontend API as it calls it (`user.createPasskey()`,
 * `signIn.authenticateWithPasskey()`), with a software authenticator standing in for the
 * browser's: register, list, rename, sign in, delete; a replayed assertion, a wrong origin and
 * garbage are refused with Clerk errors and change nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp, PASSWORD } from "./support/flows.js";
import { bootClerk, PAGE_ORIGIN } from "./support/clerk-js.js";
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
  const bad = await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, {
    strategy: "passkey",
    public_key_credential: "{not json",
  });
  assert.equal(codeOf(bad), "form_param_format_invalid");
  const wrongOrigin = await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(authenticator.create(creation, "http://evil.test")),
  });
  assert.equal(codeOf(wrongOrigin), "verification_failed");
  const verified = await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(attestation),
  });
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
  const done = await browser.post(`/v1/client/sign_ins/${si.body.response.id}/attempt_first_factor`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(assertion),
  });
  assert.equal(done.body.response.status, "complete", JSON.stringify(done.body));
  const session = done.body.client.sessions[0];
  assert.equal(session.user.email_addresses[0].email_address, "kim@example.com");

  // The same assertion again, on a new attempt (a new challenge): refused, nobody signed in.
  const thief = new FapiClient(server.url, "cookie", PAGE);
  const si2 = await thief.post("/v1/client/sign_ins", { strategy: "passkey" });
  const replay = await thief.post(`/v1/client/sign_ins/${si2.body.response.id}/attempt_first_factor`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(assertion),
  });
  assert.equal(codeOf(replay), "verification_failed");
  assert.deepEqual((await thief.get("/v1/client")).body.response.sessions, []);
  // And its challenge is spent: a second try on that attempt is refused too.
  const again = await thief.post(`/v1/client/sign_ins/${si2.body.response.id}/attempt_first_factor`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(
      authenticator.get(JSON.parse(si2.body.response.first_factor_verification.nonce), PAGE),
    ),
  });
  assert.equal(codeOf(again), "verification_missing");

  // Deleted: the passkey no longer signs in.
  assert.equal((await owner.call("DELETE", `/v1/me/passkeys/${pk.id}`)).body.response.deleted, true);
  const si3 = await browser.post("/v1/client/sign_ins", { strategy: "passkey" });
  const gone = await browser.post(`/v1/client/sign_ins/${si3.body.response.id}/attempt_first_factor`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(
      authenticator.get(JSON.parse(si3.body.response.first_factor_verification.nonce), PAGE),
    ),
  });
  assert.equal(codeOf(gone), "verification_failed");
  assert.equal((await browser.get("/v1/environment")).status, 200, "server up");
});

/** The browser side clerk-js expects: ArrayBuffers in, ArrayBuffers out (what `navigator.credentials` does). */
const buf = (s: string) => new Uint8Array(Buffer.from(s, "base64url")).buffer;
const b64 = (b: ArrayBuffer | Uint8Array) => Buffer.from(b as ArrayBuffer).toString("base64url");

test("clerk-js 6: user.createPasskey(), signIn.authenticateWithPasskey(), passkey.delete()", async (t) => {
  const server = await startTestServer({ allowedOrigins: [PAGE_ORIGIN] });
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "lee@example.com");
  const authenticator = new SoftAuthenticator();
  const { clerk } = bootClerk("clerk-js-6", server.publishableKey, server.url);
  // clerk-js's own seams for the WebAuthn browser API, filled by the software authenticator.
  clerk.__internal_isWebAuthnSupported = () => true;
  clerk.__internal_isWebAuthnPlatformAuthenticatorSupported = async () => true;
  clerk.__internal_isWebAuthnAutofillSupported = async () => false;
  clerk.__internal_createPublicCredentials = async (pk: any) => {
    const c = authenticator.create(
      { ...pk, challenge: b64(pk.challenge), user: { ...pk.user, id: b64(pk.user.id) } },
      PAGE_ORIGIN,
    );
    return {
      error: null,
      publicKeyCredential: {
        type: c.type,
        id: c.id,
        rawId: buf(c.rawId),
        authenticatorAttachment: c.authenticatorAttachment,
        response: {
          clientDataJSON: buf(c.response.clientDataJSON),
          attestationObject: buf(c.response.attestationObject),
          getTransports: () => c.response.transports,
        },
      },
    };
  };
  clerk.__internal_getPublicCredentials = async ({ publicKeyOptions: pk }: any) => {
    const c = authenticator.get({ ...pk, challenge: b64(pk.challenge) }, PAGE_ORIGIN);
    return {
      error: null,
      publicKeyCredential: {
        type: c.type,
        id: c.id,
        rawId: buf(c.rawId),
        authenticatorAttachment: c.authenticatorAttachment,
        response: {
          clientDataJSON: buf(c.response.clientDataJSON),
          authenticatorData: buf(c.response.authenticatorData),
          signature: buf(c.response.signature),
          userHandle: buf(c.response.userHandle),
        },
      },
    };
  };
  await clerk.load({ telemetry: false });
  const s0 = await clerk.client.signIn.create({ identifier: "lee@example.com", password: PASSWORD });
  await clerk.setActive({ session: s0.createdSessionId });

  const passkey = await clerk.user.createPasskey();
  assert.equal(passkey.verification.status, "verified");
  await clerk.user.reload();
  assert.equal(clerk.user.passkeys.length, 1);
  await clerk.signOut();

  const si = await clerk.client.signIn.authenticateWithPasskey({ flow: "discoverable" });
  assert.equal(si.status, "complete");
  await clerk.setActive({ session: si.createdSessionId });
  assert.equal(clerk.user.primaryEmailAddress.emailAddress, "lee@example.com");

  await clerk.user.passkeys[0].delete();
  await clerk.user.reload();
  assert.equal(clerk.user.passkeys.length, 0);
  await clerk.signOut();
  await assert.rejects(
    clerk.client.signIn.authenticateWithPasskey({ flow: "discoverable" }),
    (e: any) => e?.errors?.[0]?.code === "verification_failed",
  );
});

test("passkeys: a configured RP id and origins (tandem dev --passkey-rp-id/--passkey-origin)", async (t) => {
  const other = "http://127.0.0.1:3001";
  const server = await startTestServer({
    allowedOrigins: [PAGE, other],
    passkeys: { rpId: "localhost", origins: [PAGE] },
  });
  t.after(() => server.stop());
  const owner = new FapiClient(server.url, "cookie", PAGE);
  await signUp(owner, server, "rp@example.com");
  const created = await owner.post("/v1/me/passkeys");
  const creation = JSON.parse(created.body.response.verification.nonce);
  assert.equal(creation.rp.id, "localhost");
  const verified = await owner.post(`/v1/me/passkeys/${created.body.response.id}/attempt_verification`, {
    strategy: "passkey",
    public_key_credential: JSON.stringify(new SoftAuthenticator().create(creation, PAGE)),
  });
  assert.equal(verified.body.response.verification.status, "verified");
  // A page origin outside the list may call the API but not use passkeys.
  const stranger = new FapiClient(server.url, "cookie", other);
  const refused = await stranger.post("/v1/client/sign_ins", { strategy: "passkey" });
  assert.equal(refused.status, 403);
  assert.equal(codeOf(refused), "origin_invalid");
  assert.equal((await stranger.get("/v1/environment")).status, 200);
});
