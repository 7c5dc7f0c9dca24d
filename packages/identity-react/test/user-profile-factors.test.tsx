/**
 * `<UserProfile />` and `<SignIn />` offer the factors the instance enables (from the Frontend API
 * environment): SignIn shows "Continue with Acme ID" and "Use passkey"; UserProfile sets up an
 * authenticator app (otpauth URI, a wrong first code refused, then verified and the backup codes
 * shown), makes new backup codes and turns the app off — the server's user follows each step —
 * and adds (a non-E.164 number refused), verifies and removes a phone number. SignIn also offers
 * "Text me a code instead".
 */
import { byLabel, byRole, click, queryText, type, waitUntil, win } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import * as OTPAuth from "otpauth";
import { AuthProvider, SignedIn, SignedOut, SignIn, UserProfile } from "@tandem/react";
import { createTandem, memoryStorage } from "@tandem/js";
import { PASSWORD, startIdentity } from "../../../test/support/identity.js";

/** Clicks `name` once the section is idle (a busy section disables its buttons). */
async function press(host: HTMLElement, name: string) {
  await waitUntil(() => !(byRole(host, "button", name) as HTMLButtonElement).disabled, `${name} enabled`);
  await click(byRole(host, "button", name));
}

test("SignIn offers the enabled social provider and passkeys; UserProfile sets up and turns off TOTP", async (t) => {
  const identity = await startIdentity({
    // Listed in the environment; never contacted by this test.
    oauthProviders: [
      { provider: "acme", name: "Acme ID", issuer: "http://127.0.0.1:9", clientId: "x", clientSecret: "y" },
    ],
  });
  t.after(() => identity.stop());
  const storage = memoryStorage();
  const setup = createTandem({ publishableKey: identity.publishableKey, storage, transport: "header" });
  await setup.load();
  const t0 = Date.now();
  await setup.signUp.create({ emailAddress: "uma@example.com", password: PASSWORD, firstName: "Uma" });
  await setup.signUp.prepareEmailAddressVerification();
  await setup.signUp.attemptEmailAddressVerification({ code: await identity.codeFor("uma@example.com", t0) });
  await setup.signOut();
  setup.destroy();

  const host = win.document.createElement("div");
  win.document.body.append(host);
  const root = createRoot(host);
  act(() =>
    root.render(
      <AuthProvider publishableKey={identity.publishableKey} transport="header" storage={storage}>
        <SignedOut>
          <SignIn />
        </SignedOut>
        <SignedIn>
          <UserProfile />
        </SignedIn>
      </AuthProvider>,
    ),
  );
  t.after(() => (act(() => root.unmount()), host.remove()));
  await waitUntil(() => queryText(host, "Continue with Acme ID"), "the social button");
  assert.ok(byRole(host, "button", "Use passkey"));

  await type(byLabel(host, "Email address or username"), "uma@example.com");
  await type(byLabel(host, "Password"), PASSWORD);
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Two-step verification"), "the profile's two-step section");

  await press(host, "Set up authenticator app");
  await waitUntil(() => host.querySelector('[data-testid="otpauth-uri"]') !== null, "the otpauth URI");
  const uri = host.querySelector('[data-testid="otpauth-uri"]')!.textContent!;
  assert.match(uri, /^otpauth:\/\/totp\//);
  const totp = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
  const right = totp.generate();
  await type(byLabel(host, "Code from the app"), right === "000000" ? "111111" : "000000");
  await press(host, "Verify");
  await waitUntil(() => byLabel(host, "Code from the app").getAttribute("aria-invalid") === "true", "the code error");
  await type(byLabel(host, "Code from the app"), right);
  await press(host, "Verify");
  await waitUntil(() => queryText(host, "Authenticator app · On"), "TOTP on");
  const shown = [...host.querySelectorAll('[aria-label="Backup codes"] code')].map((c) => c.textContent);
  assert.equal(shown.length, 10);

  const bapiUser = async () =>
    (
      (await (
        await fetch(`${identity.url}/backend/v1/users?email_address=uma@example.com`, {
          headers: { authorization: `Bearer ${identity.secretKey}` },
        })
      ).json()) as { totp_enabled: boolean; backup_code_enabled: boolean }[]
    )[0]!;
  assert.equal((await bapiUser()).totp_enabled, true);
  assert.equal((await bapiUser()).backup_code_enabled, true);

  await press(host, "New backup codes");
  await waitUntil(() => {
    const now = [...host.querySelectorAll('[aria-label="Backup codes"] code')].map((c) => c.textContent);
    return now.length === 10 && now[0] !== shown[0];
  }, "new backup codes");

  await press(host, "Turn off authenticator app");
  await waitUntil(() => queryText(host, "Set up authenticator app"), "TOTP off");
  assert.equal((await bapiUser()).totp_enabled, false);

  // Phone numbers: not E.164 is refused on the field; a good one is texted a code, verified, removed.
  await type(byLabel(host, "Phone number"), "call me maybe");
  await press(host, "Add phone number");
  await waitUntil(() => byLabel(host, "Phone number").getAttribute("aria-invalid") === "true", "the number error");
  await type(byLabel(host, "Phone number"), "+1 (555) 555-0177");
  const t1 = Date.now();
  await press(host, "Add phone number");
  await waitUntil(() => queryText(host, "Code sent to your phone"), "the code field");
  await type(byLabel(host, "Code sent to your phone"), await identity.codeFor("+15555550177", t1));
  await press(host, "Verify phone number");
  await waitUntil(() => queryText(host, "+15555550177 · Verified"), "the verified number");
  await press(host, "Remove +15555550177");
  await waitUntil(() => !queryText(host, "+15555550177"), "the number removed");
});

test("SignIn: 'Text me a code instead' signs in with a code sent to the account's phone", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const phone = "+15555550142";
  // A user with a verified phone number, set up over the raw Frontend API (native mode).
  const native = async (path: string, body: Record<string, string>, token?: string) => {
    const res = await fetch(`${identity.url}${path}?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(token ? { authorization: token } : {}) },
      body: new URLSearchParams(body),
    });
    const json = (await res.json()) as any;
    assert.equal(res.status, 200, JSON.stringify(json));
    return { token: res.headers.get("authorization") ?? token, json };
  };
  const r = await fetch(`${identity.url}/backend/v1/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${identity.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ email_address: ["pat@example.com"], password: PASSWORD, first_name: "Pat" }),
  });
  assert.equal(r.status, 200);
  const si = await native("/v1/client/sign_ins", { identifier: "pat@example.com", password: PASSWORD });
  const added = await native("/v1/me/phone_numbers", { phone_number: phone }, si.token!);
  const id = added.json.response.id;
  const t0 = Date.now();
  await native(`/v1/me/phone_numbers/${id}/prepare_verification`, { strategy: "phone_code" }, si.token!);
  await native(
    `/v1/me/phone_numbers/${id}/attempt_verification`,
    { code: await identity.codeFor(phone, t0) },
    si.token!,
  );

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
          <p>Signed in</p>
        </SignedIn>
      </AuthProvider>,
    ),
  );
  t.after(() => (act(() => root.unmount()), host.remove()));
  await waitUntil(() => queryText(host, "Text me a code instead"), "the phone-code option");
  await type(byLabel(host, "Email address or username"), phone);
  const t1 = Date.now();
  await click(byRole(host, "button", "Text me a code instead"));
  await waitUntil(() => queryText(host, "Check your phone"), "the code step");
  assert.ok(!queryText(host, phone), "the number is shown masked");
  await type(byLabel(host, "Verification code"), await identity.codeFor(phone, t1));
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Signed in"), "signed in by the text code");
});
