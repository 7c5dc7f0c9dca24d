/**
 * `signUp.authenticateWithRedirect` through the unmodified clerk-js (5 and 6) against a real OIDC
 * provider: a provider account new to us completes the sign-up; one that is already a user's comes
 * back `transferable` and clerk-js's own `handleRedirectCallback` turns it into a sign-in
 * (`transfer: true`). Then the GitHub preset against a local fake of GitHub's endpoints: the
 * profile has no e-mail, so the primary verified one comes from `/user/emails`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";
import { bootClerk, PAGE_ORIGIN } from "./support/clerk-js.js";
import { startOidcProvider } from "./support/oidc-provider.js";
import { browse } from "./support/browse.js";
import { startFakeGithub } from "./support/fake-github.js";

const CALLBACK_PAGE = `${PAGE_ORIGIN}/sso-callback`;
const codeOf = (e: any) => e?.errors?.[0]?.code;

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: signUp.authenticateWithRedirect creates a user, or transfers to a sign-in for an existing one`, async (t) => {
    const oidc = await startOidcProvider();
    t.after(() => oidc.close());
    const server = await startTestServer({
      allowedOrigins: [PAGE_ORIGIN],
      oauthProviders: [
        { provider: "acme", issuer: oidc.issuer, clientId: oidc.clientId, clientSecret: oidc.clientSecret },
      ],
    });
    t.after(() => server.stop());
    oidc.allowRedirect(`${server.issuer}/v1/oauth_callback`);
    await signUp(new FapiClient(server.url, "header"), server, "bob@example.com");
    const { clerk, jar } = bootClerk(pkg, server.publishableKey, server.url);
    const navigated: string[] = [];
    // The app's router: where clerk-js sends the page after the callback.
    const routerPush = async (to: string) => void navigated.push(to);
    await clerk.load({ telemetry: false, routerPush, routerReplace: routerPush });
    const identityOrigin = new URL(server.url).origin;

    /** What `signUp.authenticateWithRedirect` does (its navigation is the scripted browser's). */
    const signUpWithAcme = async (unsafeMetadata?: Record<string, unknown>) => {
      const su = await clerk.client.signUp.create({
        strategy: "oauth_acme",
        redirectUrl: CALLBACK_PAGE,
        actionCompleteRedirectUrl: `${PAGE_ORIGIN}/`,
        ...(unsafeMetadata ? { unsafeMetadata } : {}),
      });
      const ext = su.verifications.externalAccount;
      assert.equal(ext.status, "unverified");
      assert.equal(ext.strategy, "oauth_acme");
      const to = new URL(String(ext.externalVerificationRedirectURL));
      assert.equal(to.origin, oidc.issuer);
      assert.equal(to.searchParams.get("code_challenge_method"), "S256");
      assert.match(to.searchParams.get("state")!, /^sua_/);
      assert.equal((await browse(to.href, identityOrigin, jar)).at(-1), CALLBACK_PAGE);
      await clerk.client.reload();
    };
    const finishCallback = () =>
      clerk.handleRedirectCallback(
        { signInUrl: `${PAGE_ORIGIN}/sign-in`, signUpUrl: `${PAGE_ORIGIN}/sign-up` },
        routerPush,
      );

    // A new provider account: the sign-up completes with the provider's verified profile.
    oidc.as = { sub: "carol", email: "carol@oidc.test", email_verified: true, given_name: "Carol" };
    await signUpWithAcme({ plan: "pro" });
    assert.equal(clerk.client.signUp.status, "complete");
    assert.equal(clerk.client.signUp.verifications.externalAccount.status, "verified");
    await finishCallback();
    assert.equal(clerk.session?.id, clerk.client.signUp.createdSessionId);
    assert.equal(navigated.at(-1), "/", "on to redirectUrlComplete");
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, "carol@oidc.test");
    assert.equal(clerk.user.firstName, "Carol");
    assert.deepEqual(clerk.user.unsafeMetadata, { plan: "pro" });
    assert.equal(clerk.user.externalAccounts[0].providerUserId, "carol");
    const carolId = clerk.user.id;
    await clerk.signOut();

    // The same provider account signing up again is an existing user: transferable, then signed in.
    await signUpWithAcme();
    const ext = clerk.client.signUp.verifications.externalAccount;
    assert.equal(ext.status, "transferable");
    assert.equal(ext.error?.code, "external_account_exists");
    await finishCallback();
    assert.equal(clerk.user?.id, carolId, "handleRedirectCallback's transfer signed the existing user in");
    assert.equal(clerk.client.signIn.status, "complete");
    await clerk.signOut();

    // A transfer is spent once; without a transferable sign-up it is a Clerk error and changes nothing.
    await assert.rejects(
      clerk.client.signIn.create({ transfer: true }),
      (e: any) => codeOf(e) === "sign_in_transfer_invalid",
    );
    assert.equal(clerk.client.sessions.length, 0);

    // An existing user's verified address also transfers (linking the provider account to them).
    oidc.as = { sub: "bob-at-acme", email: "bob@example.com", email_verified: true };
    await signUpWithAcme();
    assert.equal(clerk.client.signUp.verifications.externalAccount.status, "transferable");
    await finishCallback();
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, "bob@example.com");
    assert.equal(clerk.user.passwordEnabled, true);
    await clerk.signOut();

    // An unverified one fails the sign-up's external account, with no user made.
    oidc.as = { sub: "mallory", email: "bob@example.com", email_verified: false };
    await signUpWithAcme();
    assert.equal(clerk.client.signUp.verifications.externalAccount.status, "failed");
    assert.equal(clerk.client.signUp.verifications.externalAccount.error?.code, "form_identifier_exists");
    assert.equal(clerk.client.signUp.createdUserId, null);
    assert.equal(clerk.client.sessions.length, 0);
    const users = await (
      await fetch(`${server.url}/backend/v1/users`, { headers: { authorization: `Bearer ${server.secretKey}` } })
    ).json();
    assert.deepEqual(users.map((u: any) => u.email_addresses[0].email_address).sort(), [
      "bob@example.com",
      "carol@oidc.test",
    ]);
  });
}

test("GitHub preset: the primary verified e-mail comes from the provider's e-mail list", async (t) => {
  const gh = await startFakeGithub();
  t.after(() => gh.close());
  const server = await startTestServer({
    allowedOrigins: [PAGE_ORIGIN],
    oauthProviders: [
      {
        provider: "github",
        clientId: gh.clientId,
        clientSecret: gh.clientSecret,
        // The preset's endpoints, pointed at the local fake (the network is closed).
        authorizationEndpoint: `${gh.url}/login/oauth/authorize`,
        tokenEndpoint: `${gh.url}/login/oauth/access_token`,
        userinfoEndpoint: `${gh.url}/user`,
        emailsEndpoint: `${gh.url}/user/emails`,
      },
    ],
  });
  t.after(() => server.stop());
  const { clerk, jar } = bootClerk("clerk-js-6", server.publishableKey, server.url);
  await clerk.load({ telemetry: false });
  const signInWithGithub = async () => {
    const si = await clerk.client.signIn.create({ strategy: "oauth_github", redirectUrl: CALLBACK_PAGE });
    const to = si.firstFactorVerification.externalVerificationRedirectURL as URL;
    assert.equal(to.searchParams.get("scope"), "read:user user:email", "the preset's scopes");
    await browse(to.href, new URL(server.url).origin, jar);
    await clerk.client.reload();
    return clerk.client.signIn;
  };

  gh.emails = [
    { email: "mona-old@example.com", primary: false, verified: true },
    { email: "Mona@Example.com", primary: true, verified: true },
  ];
  const si = await signInWithGithub();
  assert.equal(si.status, "complete", JSON.stringify(si.firstFactorVerification.error));
  assert.equal(gh.emailCalls, 1);
  await clerk.setActive({ session: si.createdSessionId });
  assert.equal(clerk.user.primaryEmailAddress.emailAddress, "mona@example.com");
  assert.equal(clerk.user.primaryEmailAddress.verification.status, "verified");
  assert.equal(clerk.user.firstName, "Mona");
  assert.equal(clerk.user.lastName, "Lisa");
  assert.equal(clerk.user.externalAccounts[0].providerUserId, "4242");
  await clerk.signOut();

  // A primary address GitHub has not verified is never used: no address to make a user with.
  gh.user = { id: 77, login: "eve", name: null };
  gh.emails = [{ email: "eve@example.com", primary: true, verified: false }];
  const refused = await signInWithGithub();
  assert.equal(refused.status, "needs_identifier");
  assert.equal(refused.firstFactorVerification.status, "failed");
  assert.equal(refused.firstFactorVerification.error?.code, "form_param_missing");
  assert.equal(clerk.client.sessions.length, 0);
});
