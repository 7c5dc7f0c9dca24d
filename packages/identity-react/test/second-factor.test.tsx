/**
 * `<SignIn />` for an account with two-step verification: after the password it asks for the
 * authenticator-app code (a wrong one is announced on the field), offers the backup code instead,
 * and signs in with either.
 */
import { byLabel, byRole, click, queryText, type, waitUntil, win } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import * as OTPAuth from "otpauth";
import { AuthProvider, SignedIn, SignedOut, SignIn, useUser } from "@tandem/react";
import { createTandem, memoryStorage } from "@tandem/js";
import { PASSWORD, startIdentity, type TestIdentity } from "../../../test/support/identity.js";

function Name() {
  const { user } = useUser();
  return <p>Logged in as {user?.fullName}</p>;
}

/** A user with a verified TOTP; returns its secret and backup codes (set up over the raw Frontend API). */
async function userWithTotp(identity: TestIdentity, email: string) {
  const tandem = createTandem({
    publishableKey: identity.publishableKey,
    storage: memoryStorage(),
    transport: "header",
  });
  await tandem.load();
  const t0 = Date.now();
  await tandem.signUp.create({ emailAddress: email, password: PASSWORD, firstName: "Tess", lastName: "Factor" });
  await tandem.signUp.prepareEmailAddressVerification();
  await tandem.signUp.attemptEmailAddressVerification({ code: await identity.codeFor(email, t0) });
  tandem.destroy();
  const native = async (path: string, body: Record<string, string>, token?: string) => {
    const res = await fetch(`${identity.url}${path}?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(token ? { authorization: token } : {}) },
      body: new URLSearchParams(body),
    });
    return { token: res.headers.get("authorization") ?? token, json: (await res.json()) as any };
  };
  const si = await native("/v1/client/sign_ins", { identifier: email, password: PASSWORD, strategy: "password" });
  const totp = await native("/v1/me/totp", {}, si.token!);
  const secret: string = totp.json.response.secret;
  const totpAt = (ms: number) =>
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: ms });
  const verified = await native("/v1/me/totp/attempt_verification", { code: totpAt(Date.now()) }, si.token!);
  return { totpAt, backupCodes: verified.json.response.backup_codes as string[] };
}

test("SignIn: password, then the authenticator code (or a backup code) for a two-step account", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const { totpAt, backupCodes } = await userWithTotp(identity, "tess@example.com");
  const host = win.document.createElement("div");
  win.document.body.append(host);
  const root = createRoot(host);
  act(() =>
    root.render(
      <AuthProvider publishableKey={identity.publishableKey} transport="header">
        <SignedOut>
          <SignIn />
        </SignedOut>
        <SignedIn>
          <Name />
        </SignedIn>
      </AuthProvider>,
    ),
  );
  t.after(() => (act(() => root.unmount()), host.remove()));
  await waitUntil(() => queryText(host, "Sign in"), "the form");
  await type(byLabel(host, "Email address or username"), "tess@example.com");
  await type(byLabel(host, "Password"), PASSWORD);
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Two-step verification"), "the second step");
  assert.ok(queryText(host, "Enter the code from your authenticator app."));
  assert.ok(!queryText(host, "Logged in as"), "not signed in by the password alone");

  const right = totpAt(Date.now() + 30_000);
  await type(byLabel(host, "Verification code"), right === "000000" ? "111111" : "000000");
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => byLabel(host, "Verification code").getAttribute("aria-invalid") === "true", "the code error");

  // Switch to a backup code, and back.
  await click(byRole(host, "button", "Use a backup code"));
  await waitUntil(() => queryText(host, "Enter one of your backup codes."), "the backup-code step");
  await type(byLabel(host, "Backup code"), backupCodes[0]!);
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Logged in as Tess Factor"), "signed in");
});
