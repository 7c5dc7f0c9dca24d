/**
 * `<UserProfile />`'s connected accounts against a real identity server and a real OIDC provider:
 * "Connect Acme ID account" starts `user.createExternalAccount` and sends the browser to the
 * provider; after the provider and the identity callback return it to the page, the account is
 * listed, the connect button is gone, and "Remove" unlinks it.
 */
import { byRole, click, queryText, type, byLabel, waitUntil, win } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import { parseSetCookie } from "cookie";
import { AuthProvider, SignedIn, SignedOut, SignIn, UserProfile } from "@tandem/react";
import { createTandem, type AuthStorage } from "@tandem/js";
import { PASSWORD, startIdentity } from "../../../test/support/identity.js";
import { startOidcProvider } from "../../identity/test/support/oidc-provider.js";

const PAGE = "http://127.0.0.1:5173";

/** Node's fetch sends no Origin; a browser page would, and the provider must return to it. */
const pageFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: PAGE } });

/** The browser's trip: follows redirects with a cookie jar per origin until it is back on the page. */
async function follow(url: string, jars: Map<string, Map<string, string>>): Promise<string> {
  let next = new URL(url);
  for (let hop = 0; hop < 20 && next.origin !== PAGE; hop++) {
    const cookies = jars.get(next.origin) ?? new Map<string, string>();
    jars.set(next.origin, cookies);
    const res = await fetch(next, {
      redirect: "manual",
      headers: cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {},
    });
    for (const sc of res.headers.getSetCookie()) {
      const c = parseSetCookie(sc);
      if (c.value) cookies.set(c.name, c.value);
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`stopped at ${next.href}: ${res.status} ${await res.text()}`);
    next = new URL(location, next);
  }
  return next.href;
}

test("UserProfile: 'Connect Acme ID account' links the provider account; 'Remove' unlinks it", async (t) => {
  const oidc = await startOidcProvider();
  t.after(() => oidc.close());
  const identity = await startIdentity({
    allowedOrigins: [PAGE],
    oauthProviders: [
      {
        provider: "acme",
        name: "Acme ID",
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        clientSecret: oidc.clientSecret,
      },
    ],
  });
  t.after(() => identity.stop());
  oidc.allowRedirect(`${identity.issuer}/v1/oauth_callback`);

  const items = new Map<string, string>();
  const storage: AuthStorage = {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
  const navigated: string[] = [];
  const tandem = createTandem({
    publishableKey: identity.publishableKey,
    storage,
    transport: "header",
    fetch: pageFetch,
    navigate: (to) => void navigated.push(to),
  });
  await tandem.load();
  const t0 = Date.now();
  await tandem.signUp.create({ emailAddress: "uma@example.com", password: PASSWORD });
  await tandem.signUp.prepareEmailAddressVerification();
  await tandem.signUp.attemptEmailAddressVerification({ code: await identity.codeFor("uma@example.com", t0) });
  await tandem.signOut();

  const host = win.document.createElement("div");
  win.document.body.append(host);
  const root = createRoot(host);
  act(() =>
    root.render(
      <AuthProvider publishableKey={identity.publishableKey} tandem={tandem}>
        <SignedOut>
          <SignIn />
        </SignedOut>
        <SignedIn>
          <UserProfile />
        </SignedIn>
      </AuthProvider>,
    ),
  );
  t.after(() => (act(() => root.unmount()), host.remove(), tandem.destroy()));
  await waitUntil(() => queryText(host, "Continue with Acme ID"), "the sign-in form");
  await type(byLabel(host, "Email address or username"), "uma@example.com");
  await type(byLabel(host, "Password"), PASSWORD);
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Connected accounts"), "the profile's connected accounts");

  oidc.as = { sub: "uma-at-acme", email: "uma@acme.test", email_verified: true };
  await click(byRole(host, "button", "Connect Acme ID account"));
  await waitUntil(() => navigated.length === 1, "the trip to the provider");
  const to = new URL(navigated[0]!);
  assert.equal(to.origin, oidc.issuer);
  // The identity origin's cookie is the browser's client: the same token the page holds.
  const token = [...items].find(([k]) => k.startsWith("tandem:client:"))![1];
  const back = await follow(to.href, new Map([[new URL(identity.url).origin, new Map([["__client", token]])]]));
  assert.equal(back, `${PAGE}/`, "the provider returns the browser to the page that asked");

  await act(() => tandem.reload());
  await waitUntil(() => queryText(host, "Acme ID · uma@acme.test"), "the linked account");
  assert.equal(
    [...host.querySelectorAll("button")].some((b) => b.textContent === "Connect Acme ID account"),
    false,
    "no connect button for a linked provider",
  );

  await click(byRole(host, "button", "Remove Acme ID uma@acme.test"));
  await waitUntil(() => !queryText(host, "uma@acme.test"), "the account removed");
  await waitUntil(() => queryText(host, "Connect Acme ID account"), "the connect button again");
  assert.equal((await tandem.user!.reload()).externalAccounts.length, 0);
});
