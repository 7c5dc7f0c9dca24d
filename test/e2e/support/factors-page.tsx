/**
 * The page of the Chromium factors test (test/e2e/factors.test.ts): the guide's React app —
 * `AuthProvider` around `ConvexProviderWithClerk` — with `<SignIn />`, `<UserProfile />` and the
 * social-sign-in callback page at `/sso-callback`. Settings come from `window.PAGE_CONFIG`.
 */
import { createRoot } from "react-dom/client";
import { Authenticated, AuthLoading, ConvexReactClient, Unauthenticated, useQuery } from "convex/react";
import { ConvexProviderWithClerk } from "convex/react-clerk";
import { makeFunctionReference } from "convex/server";
import {
  AuthenticateWithRedirectCallback,
  AuthProvider,
  SignIn,
  SignOutButton,
  UserProfile,
  useAuth,
} from "@tandem/react";

const config = (
  window as unknown as { PAGE_CONFIG: { publishableKey: string; frontendApi: string; convexUrl: string } }
).PAGE_CONFIG;
type Me = { subject: string; email: string | null } | null;
const whoami = makeFunctionReference<"query", Record<string, never>, Me>("whoami:me");

function ServerSees() {
  const me = useQuery(whoami, {});
  return <p id="server-sees">Server sees {me === undefined ? "…" : (me?.email ?? "nobody")}</p>;
}

function Page() {
  if (location.pathname === "/sso-callback") return <AuthenticateWithRedirectCallback />;
  return (
    <main>
      <AuthLoading>
        <p>Loading</p>
      </AuthLoading>
      <Unauthenticated>
        <SignIn />
      </Unauthenticated>
      <Authenticated>
        <ServerSees />
        <SignOutButton />
        <UserProfile />
      </Authenticated>
    </main>
  );
}

const convex = new ConvexReactClient(config.convexUrl, { unsavedChangesWarning: false });
createRoot(document.getElementById("root")!).render(
  <AuthProvider publishableKey={config.publishableKey} frontendApi={config.frontendApi}>
    <ConvexProviderWithClerk client={convex} useAuth={useAuth}>
      <Page />
    </ConvexProviderWithClerk>
  </AuthProvider>,
);
