/**
 * The hooks in jsdom against a real identity server: `useAuth` has Clerk v5's three shapes and a
 * stable `getToken`; `useUser`/`useSession` follow; `useSignIn`/`useSignUp` re-render as their
 * state machines move; the server render shows nothing signed-in or signed-out before loading.
 */
import { win, waitUntil } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import {
  AuthProvider,
  SignedIn,
  SignedOut,
  SignIn,
  useAuth,
  useSession,
  useSignIn,
  useSignUp,
  useUser,
  type UseAuthReturn,
  type UseUserReturn,
} from "@tandem/react";
import { decodeJwtClaims } from "@tandem/js";
import { publishableKey } from "@tandem/identity";
import { PASSWORD, startIdentity } from "../../../test/support/identity.js";

function mount(ui: React.ReactNode) {
  const host = win.document.createElement("div");
  win.document.body.append(host);
  const root = createRoot(host);
  act(() => root.render(ui));
  return { host, unmount: () => (act(() => root.unmount()), host.remove()) };
}

test("useAuth: loading → signed out → signed in → signed out, in Clerk's shapes; getToken is stable", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const seen: UseAuthReturn[] = [];
  let user: UseUserReturn | undefined;
  let sessionId: string | null | undefined;
  let signIn: ReturnType<typeof useSignIn> | undefined;
  let signUp: ReturnType<typeof useSignUp> | undefined;
  const statuses: (string | null)[] = [];
  // Each render reassigns these; later reads go through functions so the checker drops the
  // narrowing that assertions on an earlier render's values left behind.
  const latestUser = () => user;
  const latestSignIn = () => signIn;
  function Probe() {
    const auth = useAuth();
    user = useUser();
    const s = useSession();
    sessionId = s.session?.id ?? (s.isLoaded ? null : undefined);
    signIn = useSignIn();
    signUp = useSignUp();
    useEffect(() => void seen.push(auth), [auth]);
    useEffect(() => void statuses.push(signUp?.signUp?.status ?? null), [signUp]);
    return null;
  }
  const { unmount } = mount(
    <AuthProvider publishableKey={identity.publishableKey} transport="header">
      <Probe />
    </AuthProvider>,
  );
  t.after(unmount);

  const first = seen[0]!;
  assert.equal(first.isLoaded, false);
  for (const k of [
    "isSignedIn",
    "userId",
    "sessionId",
    "sessionClaims",
    "actor",
    "orgId",
    "orgRole",
    "orgSlug",
  ] as const)
    assert.equal(first[k], undefined, k);
  assert.equal(user?.isLoaded, false);
  assert.equal(signIn?.isLoaded, false);

  await waitUntil(() => seen.at(-1)!.isLoaded, "loaded");
  const out = seen.at(-1)!;
  assert.equal(out.isSignedIn, false);
  for (const k of ["userId", "sessionId", "sessionClaims", "actor", "orgId", "orgRole", "orgSlug"] as const)
    assert.equal(out[k], null, k);
  assert.deepEqual(user, { isLoaded: true, isSignedIn: false, user: null });
  assert.equal(await out.getToken(), null);

  // Sign up through the hook's resource; each step re-renders.
  const su = signUp!.signUp!;
  const t0 = Date.now();
  await act(
    async () =>
      void (await su.create({
        emailAddress: "hook@example.com",
        password: PASSWORD,
        firstName: "Hook",
        lastName: "User",
      })),
  );
  await act(async () => void (await su.prepareEmailAddressVerification()));
  const code = await identity.codeFor("hook@example.com", t0);
  await act(async () => void (await su.attemptEmailAddressVerification({ code })));
  assert.ok(
    statuses.includes("missing_requirements") && statuses.at(-1) === "complete",
    `sign-up statuses: ${statuses}`,
  );
  await act(async () => void (await signUp!.setActive!({ session: su.createdSessionId })));

  const inn = seen.at(-1)!;
  assert.equal(inn.isSignedIn, true);
  if (!inn.isSignedIn) return;
  assert.equal(inn.sessionId, sessionId);
  assert.match(inn.userId, /^user_/);
  assert.equal(inn.orgId, null);
  assert.equal(inn.orgRole, null);
  assert.equal(inn.sessionClaims.aud, "convex", "Convex's session-token branch is taken");
  assert.equal(inn.has({ role: "org:admin" }), false);
  assert.equal(inn.getToken, first.getToken, "getToken keeps its identity across renders");
  const token = await inn.getToken({ template: "convex", skipCache: true });
  assert.equal(decodeJwtClaims(token!)!.aud, "convex");
  assert.equal(latestUser()?.isSignedIn, true);
  assert.equal(latestUser()?.user?.fullName, "Hook User");
  assert.equal(latestUser()?.user?.primaryEmailAddress?.emailAddress, "hook@example.com");

  await act(async () => void (await inn.signOut()));
  assert.equal(seen.at(-1)!.isSignedIn, false);
  assert.equal(sessionId, null);

  // useSignIn: the two-step flow on the same object.
  const si = latestSignIn()!.signIn!;
  await act(async () => void (await si.create({ identifier: "hook@example.com" })));
  assert.equal(latestSignIn()!.signIn!.status, "needs_first_factor");
  await act(async () => void (await si.attemptFirstFactor({ strategy: "password", password: PASSWORD })));
  assert.equal(latestSignIn()!.signIn!.status, "complete");
  await act(async () => void (await latestSignIn()!.setActive!({ session: si.createdSessionId })));
  assert.equal(seen.at(-1)!.isSignedIn, true);
});

test("server rendering: before loading neither SignedIn nor SignedOut renders; the form is labelled", () => {
  const html = renderToString(
    <AuthProvider publishableKey={publishableKey("development", "http://127.0.0.1:3212")} transport="header">
      <SignedIn>IN</SignedIn>
      <SignedOut>OUT</SignedOut>
      <SignIn />
    </AuthProvider>,
  );
  assert.ok(!html.includes("IN<") && !html.includes("OUT"), html.slice(0, 200));
  const doc = new win.DOMParser().parseFromString(html, "text/html");
  for (const text of ["Email address or username", "Password"]) {
    const label = [...doc.querySelectorAll("label")].find((l) => l.textContent === text);
    assert.ok(label, `label ${text}`);
    assert.ok(doc.getElementById(label.htmlFor), `label "${text}" is tied to its input`);
  }
  assert.ok(doc.querySelector('form[aria-label="Sign in"]'));
  assert.ok(doc.querySelector("h1")?.textContent === "Sign in");
  assert.ok(doc.querySelector("style[data-tandem-styles]"), "the default stylesheet is rendered");
});
