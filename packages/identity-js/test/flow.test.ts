/**
 * @tandem/js in Node (header mode) against a real identity server: sign-up with an e-mail code,
 * the auth state, cached and fresh tokens, the `convex` template, sign-out, sign-in by password
 * and by e-mail code, password reset, errors with Clerk's codes, and a client kept in storage.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTandem, decodeJwtClaims, memoryStorage, isAuthApiError, AuthApiError, type AuthState } from "@tandem/js";
import { PASSWORD, startIdentity } from "../../../test/support/identity.js";
import { signUpWithCode } from "./support/flows.js";

// Reads a value as it is now: a plain re-read of a getter keeps the narrowing an earlier assertion
// left on it, though the sign-in or sign-out in between changed it.
const now = <T>(read: () => T): T => read();

test("sign up → signed in → tokens → sign out, with the auth state following", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const tandem = createTandem({ publishableKey: identity.publishableKey });
  t.after(() => tandem.destroy());
  assert.equal(tandem.frontendApi, identity.url, "the publishable key names the Frontend API");
  assert.equal(tandem.transportMode, "header");

  const seen: AuthState["status"][] = [];
  const unsubscribe = tandem.authState.subscribe((s) => seen.push(s.status));
  assert.deepEqual(seen, ["loading"], "subscribe reports the current value at once");
  await tandem.load();
  assert.equal(tandem.authState.value.status, "signedOut");
  assert.equal(tandem.session, null);

  await signUpWithCode(tandem, identity, "ada@example.com");
  const state = now(() => tandem.authState.value);
  assert.equal(state.status, "signedIn");
  if (state.status !== "signedIn") return;
  assert.equal(state.user.fullName, "Ada Lovelace");
  assert.equal(state.user.primaryEmailAddress?.emailAddress, "ada@example.com");
  assert.equal(state.user.primaryEmailAddress?.verification?.status, "verified");
  assert.equal(state.session.id, now(() => tandem.session)?.id);
  assert.deepEqual(seen, ["loading", "signedOut", "signedIn"]);

  // The session token: cached until near expiry; skipCache mints a new JWT with a new jti.
  const t1 = await tandem.session!.getToken();
  const t2 = await tandem.session!.getToken();
  assert.ok(t1 && t2);
  assert.equal(t2, t1, "served from the cache");
  const t3 = await tandem.session!.getToken({ skipCache: true });
  assert.notEqual(t3, t1);
  const c1 = decodeJwtClaims(t1)!;
  const c3 = decodeJwtClaims(t3!)!;
  assert.notEqual(c3.jti, c1.jti);
  assert.equal(c1.sid, tandem.session!.id);
  assert.equal(c1.sub, state.user.id);
  assert.equal(c1.iss, identity.issuer);
  assert.equal(await tandem.session!.getToken(), t3, "the fresh token replaced the cached one");

  // The convex template: aud "convex" and the profile claims Convex reads.
  const convexToken = await tandem.getToken({ template: "convex" });
  const cc = decodeJwtClaims(convexToken!)!;
  assert.equal(cc.aud, "convex");
  assert.equal(cc.name, "Ada Lovelace");
  assert.equal(cc.email, "ada@example.com");
  assert.equal(await tandem.getToken({ template: "convex" }), convexToken, "template tokens are cached separately");
  assert.notEqual(await tandem.getToken({ template: "convex", skipCache: true }), convexToken);

  // useAuth's sessionClaims come from the session's last active token, with no extra request.
  assert.equal(tandem.session!.lastActiveToken?.jwt.claims.aud, "convex");

  await tandem.signOut();
  assert.equal(tandem.authState.value.status, "signedOut");
  assert.equal(tandem.session, null);
  assert.equal(await tandem.getToken(), null, "no token once signed out");
  assert.deepEqual(seen, ["loading", "signedOut", "signedIn", "signedOut"]);
  unsubscribe();

  // Password sign-in: one call, then setActive.
  await tandem.signIn.create({ identifier: "ada@example.com", password: PASSWORD });
  assert.equal(tandem.signIn.status, "complete");
  assert.equal(tandem.authState.value.status, "signedOut", "a completed sign-in waits for setActive, as in clerk-js");
  await tandem.setActive({ session: tandem.signIn.createdSessionId });
  assert.equal(tandem.authState.value.status, "signedIn");
  assert.equal(seen.length, 4, "an unsubscribed listener hears nothing more");
});

test("a wrong password surfaces Clerk's error code; an unknown account too", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const tandem = createTandem({ publishableKey: identity.publishableKey });
  t.after(() => tandem.destroy());
  await tandem.load();
  await signUpWithCode(tandem, identity, "grace@example.com", { firstName: "Grace", lastName: "Hopper" });
  await tandem.signOut();

  const wrong = await tandem.signIn
    .create({ identifier: "grace@example.com", password: "not the password" })
    .catch((e: unknown) => e);
  assert.ok(wrong instanceof AuthApiError && isAuthApiError(wrong));
  assert.equal(wrong.clerkError, true);
  assert.equal(wrong.code, "form_password_incorrect");
  assert.equal(wrong.errors[0]!.code, "form_password_incorrect");
  assert.equal(wrong.errors[0]!.meta.paramName, "password");
  assert.equal(wrong.httpStatus, 422);
  assert.equal(wrong.kind, "Unprocessable");
  assert.ok(!wrong.message.includes("not the password"), "the password never appears in the error");

  const unknown = await tandem.signIn.create({ identifier: "nobody@example.com" }).catch((e: unknown) => e);
  assert.ok(unknown instanceof AuthApiError);
  assert.equal(unknown.code, "form_identifier_not_found");

  // Two steps on the same object: identifier, then the password as first factor.
  await tandem.signIn.create({ identifier: "grace@example.com" });
  const s = tandem.signIn.state;
  assert.equal(s.status, "needs_first_factor");
  if (s.status !== "needs_first_factor") return;
  assert.deepEqual(s.supportedFirstFactors.map((f) => f.strategy).sort(), [
    "email_code",
    "email_link",
    "password",
    "reset_password_email_code",
  ]);
  const emailFactor = s.supportedFirstFactors.find((f) => f.strategy === "email_code");
  assert.ok(emailFactor && emailFactor.strategy === "email_code" && emailFactor.safeIdentifier.startsWith("g***@"));
  await assert.rejects(
    tandem.signIn.attemptFirstFactor({ strategy: "password", password: "still wrong" }),
    (e: unknown) => e instanceof AuthApiError && e.code === "form_password_incorrect",
  );
  await tandem.signIn.attemptFirstFactor({ strategy: "password", password: PASSWORD });
  assert.equal(tandem.signIn.status, "complete");
});

test("sign in with an e-mail code, and reset a forgotten password by e-mail code", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const tandem = createTandem({ publishableKey: identity.publishableKey });
  t.after(() => tandem.destroy());
  await tandem.load();
  await signUpWithCode(tandem, identity, "alan@example.com", { firstName: "Alan", lastName: "Turing" });
  await tandem.signOut();

  // E-mail code.
  let t0 = Date.now();
  await tandem.signIn.create({ identifier: "alan@example.com" });
  await tandem.signIn.prepareFirstFactor({ strategy: "email_code" });
  assert.equal(tandem.signIn.firstFactorVerification?.status, "unverified");
  await assert.rejects(
    tandem.signIn.attemptFirstFactor({ strategy: "email_code", code: "000000" }),
    (e: unknown) => e instanceof AuthApiError && e.code === "form_code_incorrect",
  );
  await tandem.signIn.attemptFirstFactor({
    strategy: "email_code",
    code: await identity.codeFor("alan@example.com", t0),
  });
  assert.equal(tandem.signIn.status, "complete");
  await tandem.setActive({ session: tandem.signIn.createdSessionId });
  assert.equal(tandem.user?.firstName, "Alan");
  await tandem.signOut();

  // Forgotten password: create with the reset strategy sends the code (as Clerk's create does).
  t0 = Date.now();
  await tandem.signIn.create({ identifier: "alan@example.com", strategy: "reset_password_email_code" });
  assert.equal(tandem.signIn.firstFactorVerification?.strategy, "reset_password_email_code");
  await tandem.signIn.attemptFirstFactor({
    strategy: "reset_password_email_code",
    code: await identity.codeFor("alan@example.com", t0),
  });
  assert.equal(tandem.signIn.status, "needs_new_password");
  await tandem.signIn.resetPassword({ password: "a brand new passphrase" });
  assert.equal(tandem.signIn.status, "complete");
  await tandem.setActive({ session: tandem.signIn.createdSessionId });
  await tandem.signOut();
  await assert.rejects(
    tandem.signIn.create({ identifier: "alan@example.com", password: PASSWORD }),
    (e: unknown) => e instanceof AuthApiError && e.code === "form_password_incorrect",
  );
  await tandem.signIn.create({ identifier: "alan@example.com", password: "a brand new passphrase" });
  assert.equal(tandem.signIn.status, "complete");
});

test("the client token kept in storage survives a restart; the user can be updated", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const storage = memoryStorage();
  const first = createTandem({ publishableKey: identity.publishableKey, storage });
  await first.load();
  await signUpWithCode(first, identity, "kay@example.com", { firstName: "Kay", lastName: "Lee" });
  const sessionId = first.session!.id;
  first.destroy();

  const second = createTandem({ publishableKey: identity.publishableKey, storage });
  t.after(() => second.destroy());
  await second.load();
  const s = second.authState.value;
  assert.equal(s.status, "signedIn", "the stored client token brings the session back");
  assert.equal(second.session?.id, sessionId);

  const updated = await second.user!.update({ firstName: "Katherine" });
  assert.equal(updated.fullName, "Katherine Lee");
  assert.equal(second.user?.fullName, "Katherine Lee", "the piggy-backed client refreshed the session's user");
  const a = second.authState.value;
  assert.ok(a.status === "signedIn" && a.user.firstName === "Katherine", "authState carries the new user");

  await second.user!.updatePassword({ currentPassword: PASSWORD, newPassword: "another good passphrase" });
  await second.signOut();
  await second.signIn.create({ identifier: "kay@example.com", password: "another good passphrase" });
  assert.equal(second.signIn.status, "complete");

  // A fresh storage is a different client: signed out.
  const stranger = createTandem({ publishableKey: identity.publishableKey });
  t.after(() => stranger.destroy());
  await stranger.load();
  assert.equal(stranger.authState.value.status, "signedOut");
});

test("two tabs sharing a client follow each other's sign-in and sign-out (BroadcastChannel)", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const storage = memoryStorage();
  const a = createTandem({ publishableKey: identity.publishableKey, storage, crossTabSync: true });
  const b = createTandem({ publishableKey: identity.publishableKey, storage, crossTabSync: true });
  t.after(() => (a.destroy(), b.destroy()));
  await Promise.all([a.load(), b.load()]);
  const next = (tab: typeof b, status: AuthState["status"]) =>
    new Promise<void>((resolve) => {
      const off = tab.authState.subscribe((s) => {
        if (s.status === status) {
          queueMicrotask(() => off());
          resolve();
        }
      });
    });
  const bSignedIn = next(b, "signedIn");
  await signUpWithCode(a, identity, "tabs@example.com");
  await bSignedIn;
  assert.equal(b.session?.id, a.session?.id);
  const bSignedOut = next(b, "signedOut");
  await a.signOut();
  await bSignedOut;
  assert.equal(b.session, null);
});
