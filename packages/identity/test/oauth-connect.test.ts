/**
 * Connecting another provider account from a signed-in session through the unmodified clerk-js (5
 * and 6) against a real OIDC provider: `user.createExternalAccount` answers an unverified account
 * whose redirect URL is the provider; after the trip it is on the user. A provider account that is
 * already another user's is refused (`external_account_exists`, shown on the failed account), and
 * `ExternalAccount.destroy()` removes one — but never the user's last way to sign in.
 */
import { test, type TestContext } from "node:test";
import pg from "pg";
import { join } from "node:path";
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "./support/server.js";
import { postgresDatabase, type StartServer } from "./support/targets.js";
import { postgresAvailable } from "../../../test/support/postgres.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp, PASSWORD } from "./support/flows.js";
import { bootClerk, PAGE_ORIGIN } from "./support/clerk-js.js";
import { startOidcProvider } from "./support/oidc-provider.js";
import { browse } from "./support/browse.js";

const CALLBACK_PAGE = `${PAGE_ORIGIN}/sso-callback`;
const PROFILE_PAGE = `${PAGE_ORIGIN}/user`;
const codeOf = (e: any) => e?.errors?.[0]?.code;

const NAME = "user.createExternalAccount links a provider account; destroy removes it";

/** Deletes a user's e-mail addresses straight in the store's database. */
type DropEmails = (server: TestServer, userId: string) => Promise<void>;

const sqliteDrop: DropEmails = async (server, userId) => {
  const db = new Database(join(server.dataDir, "identity.sqlite"));
  db.prepare("UPDATE users SET primary_email_id = NULL WHERE id = ?").run(userId);
  db.prepare("DELETE FROM email_addresses WHERE user_id = ?").run(userId);
  db.close();
};

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const)
  test(`[sqlite] ${pkg}: ${NAME}`, (t) => connectAndRemove(t, pkg, (o) => startTestServer(o), sqliteDrop));

// The connections table comes from its own migration on Postgres.
test(`[postgres] clerk-js-6: ${NAME}`, await postgresAvailable(), async (t) => {
  const { database, drop } = postgresDatabase();
  t.after(drop);
  const pgDrop: DropEmails = async (_server, userId) => {
    const client = new pg.Client({ connectionString: database.kind === "postgres" ? database.url : "" });
    await client.connect();
    try {
      const schema = database.kind === "postgres" ? database.schema : "";
      await client.query(`UPDATE ${schema}.users SET primary_email_id = NULL WHERE id = $1`, [userId]);
      await client.query(`DELETE FROM ${schema}.email_addresses WHERE user_id = $1`, [userId]);
    } finally {
      await client.end();
    }
  };
  await connectAndRemove(t, "clerk-js-6", (o) => startTestServer({ ...o, database }), pgDrop);
});

async function connectAndRemove(
  t: TestContext,
  pkg: "clerk-js-5" | "clerk-js-6",
  start: StartServer,
  dropEmails: DropEmails,
): Promise<void> {
  const oidc = await startOidcProvider();
  t.after(() => oidc.close());
  const server = await start({
    allowedOrigins: [PAGE_ORIGIN],
    oauthProviders: [
      { provider: "acme", issuer: oidc.issuer, clientId: oidc.clientId, clientSecret: oidc.clientSecret },
    ],
  });
  t.after(() => server.stop());
  oidc.allowRedirect(`${server.issuer}/v1/oauth_callback`);
  await signUp(new FapiClient(server.url, "header"), server, "bob@example.com");
  const { clerk, jar } = bootClerk(pkg, server.publishableKey, server.url);
  await clerk.load({ telemetry: false });
  const identityOrigin = new URL(server.url).origin;

  // Alice signs up through her provider account.
  oidc.as = { sub: "alice", email: "alice@oidc.test", email_verified: true };
  const si = await clerk.client.signIn.create({ strategy: "oauth_acme", redirectUrl: CALLBACK_PAGE });
  await browse((si.firstFactorVerification.externalVerificationRedirectURL as URL).href, identityOrigin, jar);
  await clerk.client.reload();
  assert.equal(clerk.client.signIn.status, "complete");
  await clerk.setActive({ session: clerk.client.signIn.createdSessionId });
  const aliceId = clerk.user.id;
  await clerk.signOut();

  // Bob signs in with his password and connects his provider account.
  const pw = await clerk.client.signIn.create({
    identifier: "bob@example.com",
    password: PASSWORD,
    strategy: "password",
  });
  await clerk.setActive({ session: pw.createdSessionId });
  const bobId = clerk.user.id;
  oidc.as = { sub: "bob-at-acme", email: "bob.work@acme.test", email_verified: true, given_name: "Bob" };
  const started = await clerk.user.createExternalAccount({ strategy: "oauth_acme", redirectUrl: PROFILE_PAGE });
  assert.equal(started.provider, "acme");
  assert.equal(started.verification.status, "unverified");
  const to = started.verification.externalVerificationRedirectURL as URL;
  assert.equal(to.origin, oidc.issuer);
  assert.equal(to.searchParams.get("code_challenge_method"), "S256");
  await clerk.user.reload();
  assert.deepEqual(
    clerk.user.externalAccounts.map((a: any) => [a.id, a.verification.status]),
    [[started.id, "unverified"]],
  );
  const visited = await browse(to.href, identityOrigin, jar);
  assert.equal(visited.at(-1), PROFILE_PAGE);
  await clerk.user.reload();
  assert.equal(clerk.user.id, bobId);
  assert.equal(clerk.user.externalAccounts.length, 1);
  const linked = clerk.user.externalAccounts[0];
  assert.equal(linked.provider, "acme");
  assert.equal(linked.providerUserId, "bob-at-acme");
  assert.equal(linked.emailAddress, "bob.work@acme.test");
  assert.equal(linked.verification.status, "verified");
  assert.equal(clerk.user.primaryEmailAddress.emailAddress, "bob@example.com", "his e-mail is unchanged");

  // The callback's state is spent: replaying it changes nothing.
  const realFetch = ((globalThis as any).__realFetch ?? fetch) as typeof fetch;
  const callback = visited.find((u) => u.includes("/v1/oauth_callback"))!;
  const replay = await realFetch(callback, {
    redirect: "manual",
    headers: { cookie: `__client=${jar.cookies.get("__client")}` },
  });
  assert.equal(codeOf(await replay.json()), "oauth_state_invalid");

  // Alice's provider account is hers: connecting it to Bob is refused, and stays hers.
  oidc.as = { sub: "alice", email: "alice@oidc.test", email_verified: true };
  const again = await clerk.user.createExternalAccount({ strategy: "oauth_acme", redirectUrl: PROFILE_PAGE });
  const back = await browse((again.verification.externalVerificationRedirectURL as URL).href, identityOrigin, jar);
  assert.equal(back.at(-1), PROFILE_PAGE);
  await clerk.user.reload();
  const failed = clerk.user.externalAccounts.find((a: any) => a.id === again.id);
  assert.equal(failed.verification.status, "failed");
  assert.equal(failed.verification.error?.code, "external_account_exists");
  assert.equal(clerk.user.externalAccounts.filter((a: any) => a.verification.status === "verified").length, 1);
  const aliceNow = await (
    await fetch(`${server.url}/backend/v1/users/${aliceId}`, {
      headers: { authorization: `Bearer ${server.secretKey}` },
    })
  ).json();
  assert.deepEqual(
    aliceNow.external_accounts.map((a: any) => a.provider_user_id),
    ["alice"],
  );
  await failed.destroy();
  await clerk.user.reload();
  assert.deepEqual(
    clerk.user.externalAccounts.map((a: any) => a.id),
    [linked.id],
  );

  // Bad input: an unknown provider, a foreign redirect URL, an account that is not his.
  await assert.rejects(
    clerk.user.createExternalAccount({ strategy: "oauth_nope", redirectUrl: PROFILE_PAGE }),
    (e: any) => codeOf(e) === "form_param_value_invalid",
  );
  await assert.rejects(
    clerk.user.createExternalAccount({ strategy: "oauth_acme", redirectUrl: "https://evil.example/" }),
    (e: any) => codeOf(e) === "form_param_value_invalid",
  );
  const alicesAccount = aliceNow.external_accounts[0].id;
  const foreign = await realFetch(`${server.url}/v1/me/external_accounts/${alicesAccount}?_is_native=0`, {
    method: "DELETE",
    headers: { cookie: `__client=${jar.cookies.get("__client")}`, origin: PAGE_ORIGIN },
  });
  assert.equal(foreign.status, 404);

  // Removing: Bob keeps his e-mail and password, so it goes.
  await linked.destroy();
  await clerk.user.reload();
  assert.equal(clerk.user.externalAccounts.length, 0);
  await clerk.signOut();

  // A user whose provider account is her only way in (Clerk allows one; Tandem's sign-ups always
  // keep the provider's e-mail, so it is removed in the database): removing it is refused.
  await dropEmails(server, aliceId);
  const si2 = await clerk.client.signIn.create({ strategy: "oauth_acme", redirectUrl: CALLBACK_PAGE });
  await browse((si2.firstFactorVerification.externalVerificationRedirectURL as URL).href, identityOrigin, jar);
  await clerk.client.reload();
  await clerk.setActive({ session: clerk.client.signIn.createdSessionId });
  assert.equal(clerk.user.id, aliceId);
  assert.equal(clerk.user.emailAddresses.length, 0);
  await assert.rejects(
    clerk.user.externalAccounts[0].destroy(),
    (e: any) => codeOf(e) === "identification_deletion_failed",
  );
  await clerk.user.reload();
  assert.equal(clerk.user.externalAccounts.length, 1);
  // Signed out, clerk-js stops refreshing the session against the server the test stops.
  await clerk.signOut();
}
