/**
 * Organizations through the unmodified `@clerk/backend`: CRUD, memberships with org:admin /
 * org:member, invitations by e-mail (dev inbox, accepted by signing up), the active organization
 * chosen on a session touch (what clerk-js `setActive({ organization })` sends) → `org_*` and `o`
 * claims in the session token and `{{org.*}}` in templates, dropped again with null; and the
 * organization webhooks, verified with svix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClerkClient, verifyToken } from "@clerk/backend";
import { startTestServer } from "./support/server.js";
import { FapiClient, bapi, claimsOf } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

test("organizations, memberships, invitations and org claims through @clerk/backend", async (t) => {
  const server = await startTestServer({ allowedOrigins: ["http://app.test"] });
  const rx = await new WebhookReceiver().start();
  t.after(async () => {
    await server.stop();
    await rx.stop();
  });
  const ep = await bapi(server.url, server.secretKey, "POST", "/webhooks/endpoints", { url: rx.url });
  rx.secret = ep.body.secret;
  const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: `${server.url}/backend` });

  const c = new FapiClient(server.url, "header", "http://app.test");
  const sid = await signUp(c, server, "ann@example.com", { first_name: "Ann" });
  const annId = claimsOf((await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt).sub;

  // Create / get / list / update.
  const org = await clerk.organizations.createOrganization({
    name: "Acme Inc",
    slug: "acme",
    createdBy: annId,
    publicMetadata: { plan: "pro" },
  });
  assert.match(org.id, /^org_/);
  assert.equal(org.slug, "acme");
  assert.equal(org.createdBy, annId);
  assert.deepEqual(org.publicMetadata, { plan: "pro" });
  assert.equal((await clerk.organizations.getOrganization({ slug: "acme" })).id, org.id);
  const withCount = await clerk.organizations.getOrganization({ organizationId: org.id, includeMembersCount: true });
  assert.equal(withCount.membersCount, 1, "the creator is a member");
  const list = await clerk.organizations.getOrganizationList({ query: "acme" });
  assert.equal(list.totalCount, 1);
  const renamed = await clerk.organizations.updateOrganization(org.id, { name: "Acme Corp" });
  assert.equal(renamed.name, "Acme Corp");
  const meta = await clerk.organizations.updateOrganizationMetadata(org.id, { privateMetadata: { billing: 7 } });
  assert.deepEqual(meta.privateMetadata, { billing: 7 });
  await assert.rejects(
    clerk.organizations.createOrganization({ name: "Other", slug: "acme" }),
    (e: any) => e.errors[0].code === "form_identifier_exists",
  );
  await assert.rejects(
    clerk.organizations.createOrganization({ name: "Bad", slug: "Not A Slug!" }),
    (e: any) => e.errors[0].meta.paramName === "slug",
  );

  // Memberships.
  const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  assert.equal(members.totalCount, 1);
  assert.equal(members.data[0]!.role, "org:admin");
  assert.equal(members.data[0]!.publicUserData?.userId, annId);
  assert.equal(members.data[0]!.publicUserData?.identifier, "ann@example.com");
  assert.ok(members.data[0]!.permissions.includes("org:sys_memberships:manage"));
  const bob = await clerk.users.createUser({
    emailAddress: ["bob@example.com"],
    password: "bob's long password",
    firstName: "Bob",
  });
  const bobM = await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: bob.id,
    role: "org:member",
  });
  assert.equal(bobM.role, "org:member");
  assert.equal(bobM.organization.id, org.id);
  await assert.rejects(
    clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: bob.id, role: "org:member" }),
    (e: any) => e.errors[0].code === "already_a_member_in_organization",
  );
  await assert.rejects(
    clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: annId, role: "org:owner" }),
    (e: any) => e.status === 422,
  );
  const promoted = await clerk.organizations.updateOrganizationMembership({
    organizationId: org.id,
    userId: bob.id,
    role: "org:admin",
  });
  assert.equal(promoted.role, "org:admin");
  const bobs = await clerk.users.getOrganizationMembershipList({ userId: bob.id });
  assert.equal(bobs.totalCount, 1);
  assert.equal(bobs.data[0]!.organization.slug, "acme");
  await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: bob.id });
  assert.equal((await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id })).totalCount, 1);

  // Invitations: e-mailed to the dev inbox, revoked, or accepted by signing up with the address.
  const inv = await clerk.organizations.createOrganizationInvitation({
    organizationId: org.id,
    emailAddress: "cy@example.com",
    role: "org:member",
    inviterUserId: annId,
  });
  assert.equal(inv.status, "pending");
  assert.equal(inv.emailAddress, "cy@example.com");
  assert.ok((await server.inbox()).some((m) => m.to === "cy@example.com" && m.subject.includes("Acme Corp")));
  const dropped = await clerk.organizations.createOrganizationInvitation({
    organizationId: org.id,
    emailAddress: "dan@example.com",
    role: "org:member",
  });
  assert.equal(
    (await clerk.organizations.revokeOrganizationInvitation({ organizationId: org.id, invitationId: dropped.id }))
      .status,
    "revoked",
  );
  assert.equal(
    (await clerk.organizations.getOrganizationInvitationList({ organizationId: org.id, status: ["pending"] }))
      .totalCount,
    1,
  );
  await signUp(new FapiClient(server.url, "header", "http://app.test"), server, "cy@example.com");
  assert.equal(
    (await clerk.organizations.getOrganizationInvitation({ organizationId: org.id, invitationId: inv.id })).status,
    "accepted",
  );
  const afterInvite = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  assert.deepEqual(afterInvite.data.map((m) => m.role).sort(), ["org:admin", "org:member"]);

  // The active organization: set on a session touch (as clerk-js setActive does) → claims.
  const bad = await c.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: "org_notmine" });
  assert.equal(bad.status, 403);
  const touched = await c.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: org.id });
  assert.equal(touched.status, 200, JSON.stringify(touched.body));
  assert.equal(touched.body.response.last_active_organization_id, org.id);
  const token = (await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt;
  const claims = await verifyToken(token, {
    secretKey: server.secretKey,
    apiUrl: `${server.url}/backend`,
    authorizedParties: ["http://app.test"],
  });
  assert.equal(claims.org_id, org.id);
  assert.equal(claims.org_role, "org:admin");
  assert.equal(claims.org_slug, "acme");
  assert.deepEqual(claims.o, { id: org.id, slg: "acme", rol: "admin" });
  assert.equal((await clerk.sessions.getSession(sid)).lastActiveOrganizationId, org.id);

  await clerk.jwtTemplates.create({
    name: "orgs",
    claims: { org: "{{org.id}}", role: "{{org.role}}", slug: "{{org.slug}}", plan: "{{org.public_metadata.plan}}" },
  });
  const tpl = claimsOf((await c.post(`/v1/client/sessions/${sid}/tokens/orgs`)).body.jwt);
  assert.deepEqual(
    { org: tpl.org, role: tpl.role, slug: tpl.slug, plan: tpl.plan },
    { org: org.id, role: "org:admin", slug: "acme", plan: "pro" },
  );

  // setActive({ organization: null }) → the personal account: no org claims.
  await c.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: "" });
  const personal = claimsOf((await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt);
  assert.equal(personal.org_id, undefined);
  assert.equal(personal.o, undefined);
  assert.equal(claimsOf((await c.post(`/v1/client/sessions/${sid}/tokens/orgs`)).body.jwt).org, undefined);

  // Deleting the organization; the webhooks that came of all this.
  // Typed as an Organization by @clerk/backend; the wire answer is Clerk's deleted object.
  assert.equal(
    ((await clerk.organizations.deleteOrganization(org.id)) as unknown as { deleted: boolean }).deleted,
    true,
  );
  await assert.rejects(clerk.organizations.getOrganization({ organizationId: org.id }), (e: any) => e.status === 404);
  await rx.waitFor((r) => r.some((x) => x.type === "organization.deleted"), "organization.deleted");
  assert.ok(rx.received.every((r) => r.verified));
  const orgTypes = rx.received.map((r) => r.type).filter((x) => x.startsWith("organization"));
  assert.deepEqual(orgTypes, [
    "organization.created",
    "organizationMembership.created",
    "organization.updated",
    "organization.updated",
    "organizationMembership.created",
    "organizationMembership.updated",
    "organizationMembership.deleted",
    "organizationInvitation.created",
    "organizationInvitation.created",
    "organizationInvitation.revoked",
    "organizationInvitation.accepted",
    "organizationMembership.created",
    "organization.deleted",
  ]);
  const created = rx.ofType("organization.created")[0]!.body.data;
  assert.equal(created.slug, "acme");
  assert.equal(rx.ofType("organizationMembership.created")[0]!.body.data.public_user_data.user_id, annId);
});

test("custom roles with permissions: memberships, org_permissions and @clerk/backend's has()", async (t) => {
  const server = await startTestServer({ allowedOrigins: ["http://app.test"] });
  t.after(() => server.stop());
  const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: `${server.url}/backend` });
  const c = new FapiClient(server.url, "header", "http://app.test");
  const sid = await signUp(c, server, "fin@example.com");
  const finId = claimsOf((await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt).sub;

  const read = await clerk.organizationPermissions.createOrganizationPermission({
    name: "Read invoices",
    key: "org:invoices:read",
  });
  const write = await clerk.organizationPermissions.createOrganizationPermission({
    name: "Write invoices",
    key: "org:invoices:write",
  });
  await clerk.organizationPermissions.createOrganizationPermission({ name: "See reports", key: "org:reports:read" });
  await assert.rejects(
    clerk.organizationPermissions.createOrganizationPermission({ name: "Bad", key: "org:sys_profile:manage" }),
    (e: any) => e.status === 422,
  );
  const role = await clerk.organizationRoles.createOrganizationRole({
    name: "Billing",
    key: "org:billing",
    permissions: [read.id],
  });
  assert.deepEqual(
    role.permissions.map((p) => p.key),
    ["org:invoices:read"],
  );
  const withWrite = await clerk.organizationRoles.assignPermissionToOrganizationRole({
    organizationRoleId: role.id,
    permissionId: write.id,
  });
  assert.deepEqual(
    withWrite.permissions.map((p) => p.key),
    ["org:invoices:read", "org:invoices:write"],
  );
  await assert.rejects(
    clerk.organizationRoles.createOrganizationRole({ name: "Dup", key: "org:billing" }),
    (e: any) => e.errors[0].code === "form_identifier_exists",
  );

  const org = await clerk.organizations.createOrganization({ name: "Ledger", slug: "ledger" });
  const m = await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: finId,
    role: "org:billing",
  });
  assert.equal(m.role, "org:billing");
  assert.deepEqual(m.permissions, ["org:invoices:read", "org:invoices:write"]);
  assert.equal(
    (await bapi(server.url, server.secretKey, "GET", `/organizations/${org.id}/memberships`)).body.data[0].role_name,
    "Billing",
  );

  await c.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: org.id });
  const token = (await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt;
  const claims = claimsOf(token);
  assert.equal(claims.org_role, "org:billing");
  assert.deepEqual(claims.org_permissions, ["org:invoices:read", "org:invoices:write"]);
  assert.equal(claims.fea, "o:invoices");
  assert.deepEqual(claims.o, { id: org.id, slg: "ledger", rol: "billing", per: "read,write", fpm: "3" });

  // The unmodified @clerk/backend reads the v2 claims: role and permissions for has().
  const state = await clerk.authenticateRequest(
    new Request("http://app.test/api", { headers: { authorization: `Bearer ${token}`, origin: "http://app.test" } }),
    {
      publishableKey: server.publishableKey,
      authorizedParties: ["http://app.test"],
    },
  );
  assert.equal(state.isSignedIn, true);
  const auth = state.toAuth() as any;
  assert.equal(auth.orgId, org.id);
  assert.equal(auth.orgRole, "org:billing");
  assert.equal(auth.has({ permission: "org:invoices:write" }), true);
  assert.equal(auth.has({ permission: "org:reports:read" }), false);
  assert.equal(auth.has({ role: "org:billing" }), true);

  // The Frontend API checks the role's permissions: billing may not read or manage members.
  const denied = await c.get(`/v1/organizations/${org.id}/memberships`);
  assert.equal(denied.status, 403);
  assert.equal(denied.body.errors[0].code, "not_allowed_access");
  assert.equal(
    (await c.post(`/v1/organizations/${org.id}/invitations`, { email_address: "x@example.com", role: "org:member" }))
      .status,
    403,
  );

  // A role in use cannot go; after the member leaves it can.
  await assert.rejects(clerk.organizationRoles.deleteOrganizationRole(role.id), (e: any) => e.status === 422);
  await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: finId });
  assert.equal((await clerk.organizationRoles.deleteOrganizationRole(role.id)).id, role.id);
  await assert.rejects(
    clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: finId, role: "org:billing" }),
    (e: any) => e.errors[0].meta.paramName === "role",
  );
});
