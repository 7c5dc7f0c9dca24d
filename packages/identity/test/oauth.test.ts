/**
 * Social / OIDC sign-in (`oauth_<provider>`) through the unmodified clerk-js (5 and 6) against a real
 * OpenID Connect provider (`oidc-provider`): a new user, linking by verified e-mail, refusing to
 * link an unverified one, and forged, replayed or foreign `state`s changing nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";
import { bootClerk, environmentOf, PAGE_ORIGIN } from "./support/clerk-js.js";
import { startOidcProvider } from "./support/oidc-provider.js";
import { browse } from "./support/browse.js";

const CALLBACK_PAGE = `${PAGE_ORIGIN}/sso-callback`;

const codeOf = (e: any) => e?.errors?.[0]?.code;

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: oauth_<provider> sign-in against a real OIDC provider, linking by verified e-mail`, async (t) => {
    const oidc = await startOidcProvider();
    t.after(() => oidc.close());
    const server = await startTestServer({
      allowedOrigins: [PAGE_ORIGIN],
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
    t.after(() => server.stop());
    oidc.allowRedirect(`${server.issuer}/v1/oauth_callback`);
    await signUp(new FapiClient(server.url, "header"), server, "bob@example.com");

    const { clerk, jar } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });
    assert.equal(environmentOf(clerk).userSettings.social.oauth_acme.enabled, true);
    assert.equal(environmentOf(clerk).userSettings.social.oauth_acme.name, "Acme ID");

    /** What `authenticateWithRedirect` does, then the browser's trip to the provider and back. */
    const signInWithAcme = async () => {
      const si = await clerk.client.signIn.create({
        strategy: "oauth_acme",
        redirectUrl: CALLBACK_PAGE,
        actionCompleteRedirectUrl: `${PAGE_ORIGIN}/`,
      });
      assert.equal(si.firstFactorVerification.status, "unverified");
      const to = si.firstFactorVerification.externalVerificationRedirectURL as URL;
      assert.equal(to.origin, oidc.issuer);
      assert.equal(to.searchParams.get("code_challenge_method"), "S256");
      assert.ok(to.searchParams.get("nonce") && to.searchParams.get("state"));
      const visited = await browse(to.href, new URL(server.url).origin, jar);
      assert.equal(visited.at(-1), CALLBACK_PAGE);
      await clerk.client.reload();
      return { signIn: clerk.client.signIn, visited };
    };

    // A new user from the provider's verified profile.
    oidc.as = {
      sub: "alice",
      email: "alice@oidc.test",
      email_verified: true,
      given_name: "Alice",
      family_name: "Liddell",
    };
    const first = await signInWithAcme();
    assert.equal(first.signIn.status, "complete");
    await clerk.setActive({ session: first.signIn.createdSessionId });
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, "alice@oidc.test");
    assert.equal(clerk.user.primaryEmailAddress.verification.status, "verified");
    assert.equal(clerk.user.firstName, "Alice");
    assert.equal(clerk.user.externalAccounts.length, 1);
    assert.equal(clerk.user.externalAccounts[0].providerUserId, "alice");
    assert.equal(clerk.user.externalAccounts[0].emailAddress, "alice@oidc.test");
    const aliceId = clerk.user.id;
    const callbackUrl = first.visited.find((u) => u.includes("/v1/oauth_callback"))!;
    await clerk.signOut();

    // The same provider account again: the same user.
    const again = await signInWithAcme();
    await clerk.setActive({ session: again.signIn.createdSessionId });
    assert.equal(clerk.user.id, aliceId);
    await clerk.signOut();

    // A replayed callback (spent state) changes nothing.
    const realFetch = ((globalThis as any).__realFetch ?? fetch) as typeof fetch;
    const cookie = { cookie: `__client=${jar.cookies.get("__client")}` };
    const replay = await realFetch(callbackUrl, { redirect: "manual", headers: cookie });
    assert.equal(replay.status, 422);
    assert.equal(codeOf(await replay.json()), "oauth_state_invalid");

    // A provider account whose verified e-mail is an existing user's links to that user.
    const bobId = (
      await (
        await fetch(`${server.url}/backend/v1/users?email_address=bob@example.com`, {
          headers: { authorization: `Bearer ${server.secretKey}` },
        })
      ).json()
    )[0].id;
    oidc.as = { sub: "bob-at-acme", email: "bob@example.com", email_verified: true };
    const linked = await signInWithAcme();
    assert.equal(linked.signIn.status, "complete");
    await clerk.setActive({ session: linked.signIn.createdSessionId });
    assert.equal(clerk.user.id, bobId);
    assert.equal(clerk.user.passwordEnabled, true, "the existing user, password and all");
    assert.equal(clerk.user.externalAccounts[0].providerUserId, "bob-at-acme");
    await clerk.signOut();

    // An unverified address never takes over an account.
    oidc.as = { sub: "mallory", email: "bob@example.com", email_verified: false };
    const refused = await signInWithAcme();
    assert.equal(refused.signIn.status, "needs_identifier");
    assert.equal(refused.signIn.firstFactorVerification.status, "failed");
    assert.equal(refused.signIn.firstFactorVerification.error?.code, "form_identifier_exists");
    assert.equal(refused.signIn.createdSessionId, null);
    assert.equal(clerk.client.sessions.length, 0);

    // Forged state, a state for another browser, and bad input: Clerk errors, nothing changes.
    const si = await clerk.client.signIn.create({ strategy: "oauth_acme", redirectUrl: CALLBACK_PAGE });
    const state = (si.firstFactorVerification.externalVerificationRedirectURL as URL).searchParams.get("state")!;
    const forged = state.replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for (const [query, headers] of [
      [`state=${encodeURIComponent(forged)}&code=x`, cookie],
      [`state=${encodeURIComponent(state)}&code=x`, {}],
      [`state=nonsense&code=x`, cookie],
      [`code=x`, cookie],
    ] as const) {
      const r = await realFetch(`${server.url}/v1/oauth_callback?${query}`, {
        redirect: "manual",
        headers: { ...headers, cookie: headers.cookie ?? "" },
      });
      assert.equal(r.status, 422, query);
      assert.equal(codeOf(await r.json()), "oauth_state_invalid");
    }
    assert.equal((await clerk.client.signIn.reload()).firstFactorVerification.status, "unverified");
    await assert.rejects(
      clerk.client.signIn.create({ strategy: "oauth_unknown", redirectUrl: CALLBACK_PAGE }),
      (e: any) => codeOf(e) === "form_param_value_invalid",
    );
    await assert.rejects(
      clerk.client.signIn.create({ strategy: "oauth_acme", redirectUrl: "https://evil.example/cb" }),
      (e: any) => codeOf(e) === "form_param_value_invalid",
    );
  });
}

test("an unreachable provider is a clear 503 and the server stays up", async (t) => {
  const server = await startTestServer({
    allowedOrigins: [PAGE_ORIGIN],
    oauthProviders: [{ provider: "down", issuer: "http://127.0.0.1:9", clientId: "x", clientSecret: "y" }],
  });
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "cookie", PAGE_ORIGIN);
  const r = await c.post("/v1/client/sign_ins", { strategy: "oauth_down", redirect_url: CALLBACK_PAGE });
  assert.equal(r.status, 503);
  assert.equal(r.body.errors[0].code, "oauth_provider_unavailable");
  assert.equal((await c.get("/v1/environment")).status, 200);
});
