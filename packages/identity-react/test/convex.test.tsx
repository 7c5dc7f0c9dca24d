/**
 * The guide's React code on Tandem, with only the provider's import changed: `AuthProvider` from
 * @tandem/react around the official `ConvexProviderWithClerk` given our `useAuth`, a real
 * `ConvexReactClient` against a real backend whose `auth.config.ts` trusts a real identity server.
 * `useConvexAuth` goes from loading to authenticated without ever showing the logged-out view to a
 * signed-in user; the server's `ctx.auth.getUserIdentity()` follows sign-out and sign-in.
 */
import { byLabel, byRole, click, queryText, type, waitUntil, win } from "./support/dom.js";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import WebSocket from "ws";
import { Authenticated, AuthLoading, ConvexReactClient, Unauthenticated, useConvexAuth, useQuery } from "convex/react";
import { ConvexProviderWithClerk } from "convex/react-clerk";
import { makeFunctionReference } from "convex/server";
import { AuthProvider, SignInButton, SignOutButton, UserButton, useAuth, useUser } from "@tandem/react";
import { createTandem, memoryStorage } from "@tandem/js";
import { PASSWORD, startIdentity, type TestIdentity } from "../../../test/support/identity.js";
import { startBackendWithApp, type TestBackend } from "../../../test/support/backend.js";

type Me = { subject: string; name: string | null; email: string | null } | null;
const whoami = makeFunctionReference<"query", Record<string, never>, Me>("whoami:me");
const doc = win.document;

let identity: TestIdentity;
let app: TestBackend;

before(async () => {
  identity = await startIdentity();
  app = await startBackendWithApp("whoami", identity.issuer);
});

after(async () => {
  await app?.stop();
  await identity?.stop();
});

const views: string[] = [];

function Badge() {
  const { user } = useUser();
  return <span>Logged in as {user?.fullName}</span>;
}

function ServerSees() {
  const me = useQuery(whoami, {});
  return <p>Server sees {me === undefined ? "…" : (me?.name ?? "nobody")}</p>;
}

function Content() {
  const { isLoading, isAuthenticated } = useConvexAuth();
  views.push(isLoading ? "loading" : isAuthenticated ? "in" : "out");
  return (
    <main>
      <AuthLoading>
        <p>Still loading</p>
      </AuthLoading>
      <Unauthenticated>
        <p>Logged out</p>
        <SignInButton mode="modal" />
      </Unauthenticated>
      <Authenticated>
        <p>Logged in</p>
        <Badge />
        <UserButton />
        <SignOutButton />
        <ServerSees />
      </Authenticated>
    </main>
  );
}

test("a stored session goes loading → authenticated with no logged-out flash; sign-out and modal sign-in follow", async (t) => {
  // A user who signed in earlier on this device.
  const storage = memoryStorage();
  const earlier = createTandem({ publishableKey: identity.publishableKey, storage, transport: "header" });
  await earlier.load();
  const t0 = Date.now();
  await earlier.signUp.create({
    emailAddress: "guide@example.com",
    password: PASSWORD,
    firstName: "Guide",
    lastName: "Reader",
  });
  await earlier.signUp.prepareEmailAddressVerification();
  await earlier.signUp.attemptEmailAddressVerification({ code: await identity.codeFor("guide@example.com", t0) });
  await earlier.setActive({ session: earlier.signUp.createdSessionId });
  earlier.destroy();

  const convex = new ConvexReactClient(app.backend.url, {
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    unsavedChangesWarning: false,
  });
  const host = doc.createElement("div");
  doc.body.append(host);
  const root = createRoot(host);
  t.after(async () => {
    act(() => root.unmount());
    host.remove();
    await convex.close();
  });
  act(() =>
    root.render(
      <AuthProvider publishableKey={identity.publishableKey} transport="header" storage={storage}>
        <ConvexProviderWithClerk client={convex} useAuth={useAuth}>
          <Content />
        </ConvexProviderWithClerk>
      </AuthProvider>,
    ),
  );
  assert.equal(views[0], "loading");
  await waitUntil(() => queryText(host, "Server sees Guide Reader"), "the server to see the stored user");
  assert.ok(queryText(host, "Logged in as Guide Reader"));
  const distinct = views.filter((v, i) => v !== views[i - 1]);
  assert.deepEqual(distinct, ["loading", "in"], "never the logged-out view for a signed-in user");

  // Sign out → the logged-out view, and the server no longer sees anyone.
  await click(byRole(host, "button", "Sign out"));
  await waitUntil(() => queryText(host, "Logged out"), "the logged-out view");

  // Sign in through the modal → authenticated again.
  await click(byRole(host, "button", "Sign in"));
  const dialog = byRole(doc.body, "dialog");
  await type(byLabel(dialog, "Email address or username"), "guide@example.com");
  await type(byLabel(dialog, "Password"), PASSWORD);
  await click(byRole(dialog, "button", "Continue"));
  await waitUntil(() => queryText(host, "Server sees Guide Reader"), "signed in again");
  assert.equal(doc.querySelector('[role="dialog"]'), null);
  const all = views.filter((v, i) => v !== views[i - 1]);
  // Convex keeps "not authenticated" until the server confirms the new token (no loading step).
  assert.deepEqual(all, ["loading", "in", "out", "in"]);
});
