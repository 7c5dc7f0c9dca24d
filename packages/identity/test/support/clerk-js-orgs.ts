/**
 * Organizations from the unmodified clerk-js: the user's memberships (`user.organizationMemberships`,
 * `user.getOrganizationMemberships()`), `setActive({ organization })` → `org_*` claims in the
 * session token, `setActive({ organization: null })` → none, and `createOrganization`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./server.js";
import { FapiClient, bapi, claimsOf } from "./fapi-client.js";
import { signUp, PASSWORD } from "./flows.js";
import { bootClerk, PAGE_ORIGIN } from "./clerk-js.js";

export function runClerkJsOrganizations(pkg: "clerk-js-5" | "clerk-js-6") {
  test(`${pkg}: organizations, setActive({ organization }) and the org claims`, async (t) => {
    const server = await startTestServer({ allowedOrigins: [PAGE_ORIGIN] });
    t.after(() => server.stop());
    await signUp(new FapiClient(server.url, "header"), server, "olga@example.com", { first_name: "Olga" });
    const users = (await bapi(server.url, server.secretKey, "GET", "/users?email_address=olga@example.com")).body;
    const org = (
      await bapi(server.url, server.secretKey, "POST", "/organizations", {
        name: "Globex",
        slug: "globex",
        created_by: users[0].id,
      })
    ).body;

    const { clerk } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });
    const si = await clerk.client.signIn.create({
      identifier: "olga@example.com",
      password: PASSWORD,
      strategy: "password",
    });
    await clerk.setActive({ session: si.createdSessionId });
    assert.equal(clerk.user.organizationMemberships.length, 1);
    assert.equal(clerk.user.organizationMemberships[0].organization.slug, "globex");
    assert.equal(clerk.user.organizationMemberships[0].role, "org:admin");
    const listed = await clerk.user.getOrganizationMemberships();
    assert.equal(listed.total_count ?? listed.totalCount, 1);
    assert.equal(listed.data[0].organization.id, org.id);

    await clerk.setActive({ organization: org.id });
    assert.equal(clerk.session.lastActiveOrganizationId, org.id);
    assert.equal(clerk.organization?.id, org.id);
    const claims = claimsOf(await clerk.session.getToken({ skipCache: true }));
    assert.equal(claims.org_id, org.id);
    assert.equal(claims.org_role, "org:admin");
    assert.equal(claims.org_slug, "globex");
    const recorded = (await bapi(server.url, server.secretKey, "GET", `/sessions/${clerk.session.id}`)).body;
    assert.equal(recorded.last_active_organization_id, org.id, "the server records the active organization");

    await clerk.setActive({ organization: null });
    assert.equal(clerk.session.lastActiveOrganizationId ?? null, null);
    const personal = claimsOf(await clerk.session.getToken({ skipCache: true }));
    assert.equal(personal.org_id, undefined);

    // The Organization resource: members and invitations (an admin may; a member may only read).
    const bob = (
      await bapi(server.url, server.secretKey, "POST", "/users", {
        email_address: ["bob@example.com"],
        password: PASSWORD,
      })
    ).body;
    const globex = clerk.user.organizationMemberships[0].organization;
    const added = await globex.addMember({ userId: bob.id, role: "org:member" });
    assert.equal(added.role, "org:member");
    const members = await globex.getMemberships();
    assert.equal(members.total_count, 2);
    assert.ok(members.data.some((m: any) => m.publicUserData.userId === bob.id));
    assert.equal((await globex.updateMember({ userId: bob.id, role: "org:admin" })).role, "org:admin");
    const inv = await globex.inviteMember({ emailAddress: "cy@example.com", role: "org:member" });
    assert.equal(inv.status, "pending");
    assert.ok((await server.inbox()).some((m) => m.to === "cy@example.com"));
    assert.equal((await globex.getInvitations()).total_count, 1);
    await globex.removeMember(bob.id);
    assert.equal((await globex.getMemberships()).total_count, 1);

    // An invitation to an existing user: listed on the user, accepted → a membership.
    const initech = (
      await bapi(server.url, server.secretKey, "POST", "/organizations", { name: "Initech", slug: "initech" })
    ).body;
    await bapi(server.url, server.secretKey, "POST", `/organizations/${initech.id}/invitations`, {
      email_address: "olga@example.com",
      role: "org:member",
    });
    const invites = await clerk.user.getOrganizationInvitations();
    assert.equal(invites.total_count, 1);
    assert.equal(invites.data[0].publicOrganizationData.slug, "initech");
    await invites.data[0].accept();
    assert.ok(
      clerk.user.organizationMemberships.some((m: any) => m.organization.id === initech.id && m.role === "org:member"),
    );
    assert.equal((await clerk.user.getOrganizationInvitations()).total_count, 0);

    const made = await clerk.createOrganization({ name: "Hooli" });
    assert.match(made.id, /^org_/);
    assert.equal(made.slug, "hooli");
    const mine = (await bapi(server.url, server.secretKey, "GET", `/users/${users[0].id}/organization_memberships`))
      .body;
    assert.equal(mine.total_count, 3);
    await clerk.signOut();
  });
}
