/**
 * The Frontend API on one organization, for clerk-js's `Organization` resource: list, add,
 * update and remove members, invite by e-mail, list invitations. Each call checks the signed-in
 * user's membership: reading members needs `org:sys_memberships:read`, changing them
 * `org:sys_memberships:manage` (admins have both).
 */
import { ApiError } from "../errors.js";
import { parseId, parseOrgId } from "../ids.js";
import type { ActiveSession, IdentityService } from "../domain/service.js";
import {
  addMember,
  inviteToOrganization,
  removeMember,
  requireMembership,
  updateMember,
} from "../domain/organizations.js";
import { invitationJSON, membershipJSON, publicInvitation } from "../bapi/org-json.js";
import type { OrganizationRecord } from "../store/org-types.js";
import type { FapiEnv } from "./outcome.js";
import type { Endpoint } from "./steps/pipeline.js";
import { renderClient } from "./render.js";

async function authorized(
  svc: IdentityService,
  a: ActiveSession,
  orgId: string | undefined,
  permission: string,
): Promise<OrganizationRecord> {
  const id = orgId ? parseOrgId.organization(orgId) : null;
  const org = id ? await svc.store.getOrganization(svc.instanceId, id) : null;
  const mine = org ? await svc.store.getMembership(svc.instanceId, org.id, a.user.id) : null;
  if (!org || !mine) throw new ApiError("not_a_member_in_organization", { param: "organization_id" });
  if (!svc.orgRoles.permissions(mine.role).includes(permission)) throw new ApiError("not_allowed_access");
  return org;
}

function page(env: FapiEnv) {
  const q = env.req.query;
  return {
    limit: Math.min(100, Math.max(1, Number(q.get("limit") ?? 10) || 10)),
    offset: Math.max(0, Number(q.get("offset") ?? 0) || 0),
  };
}

const withClient = async (env: FapiEnv, response: unknown) => ({
  kind: "bare" as const,
  body: { response, client: await renderClient(env.svc, env.ctx, env.req.origin) },
});

async function member(env: FapiEnv, userId: string | undefined) {
  const uid = userId ? parseId.user(userId) : null;
  const user = uid ? await env.svc.store.getUser(env.svc.instanceId, uid) : null;
  if (!user) throw new ApiError("resource_not_found", { param: "user_id" });
  return user;
}

export const listOrgMembers: Endpoint<ActiveSession> = async (env, a, p) => {
  const org = await authorized(env.svc, a, p.id, "org:sys_memberships:read");
  const { data, total } = await env.svc.store.listMemberships(env.svc.instanceId, {
    organizationId: org.id,
    ...page(env),
  });
  const out = [];
  for (const m of data)
    out.push(
      membershipJSON(m, org, await env.svc.store.getUser(env.svc.instanceId, m.userId), env.svc.orgRoles, false),
    );
  return { kind: "bare", body: { response: { data: out, total_count: total }, client: null } };
};

export const addOrgMember: Endpoint<ActiveSession> = async (env, a, p) => {
  const org = await authorized(env.svc, a, p.id, "org:sys_memberships:manage");
  const user = await member(env, env.req.fields.required("user_id", 64));
  const m = await addMember(env.svc, org, user, env.req.fields.required("role", 64));
  return withClient(env, membershipJSON(m, org, user, env.svc.orgRoles, false));
};

export const updateOrgMember: Endpoint<ActiveSession> = async (env, a, p) => {
  const org = await authorized(env.svc, a, p.id, "org:sys_memberships:manage");
  const user = await member(env, p.user_id);
  const m = await updateMember(env.svc, org, await requireMembership(env.svc, org, user.id), {
    role: env.req.fields.required("role", 64),
  });
  return withClient(env, membershipJSON(m, org, user, env.svc.orgRoles, false));
};

export const removeOrgMember: Endpoint<ActiveSession> = async (env, a, p) => {
  const org = await authorized(env.svc, a, p.id, "org:sys_memberships:manage");
  const user = await member(env, p.user_id);
  const m = await requireMembership(env.svc, org, user.id);
  await removeMember(env.svc, org, m);
  return withClient(env, membershipJSON(m, org, user, env.svc.orgRoles, false));
};

export const inviteOrgMember: Endpoint<ActiveSession> = async (env, a, p) => {
  const org = await authorized(env.svc, a, p.id, "org:sys_memberships:manage");
  const f = env.req.fields;
  const inv = await inviteToOrganization(env.svc, org, {
    email: f.required("email_address", 320),
    role: f.required("role", 64),
    inviterUserId: a.user.id,
  });
  return withClient(env, publicInvitation(invitationJSON(inv, org, env.svc.orgRoles)));
};

export const listOrgInvitations: Endpoint<ActiveSession> = async (env, a, p) => {
  const org = await authorized(env.svc, a, p.id, "org:sys_memberships:manage");
  const status = env.req.query.get("status");
  const all = await env.svc.store.listInvitations(
    env.svc.instanceId,
    org.id,
    status === "pending" || status === "accepted" || status === "revoked" ? status : null,
  );
  const { limit, offset } = page(env);
  const data = all.slice(offset, offset + limit).map((i) => publicInvitation(invitationJSON(i, org, env.svc.orgRoles)));
  return { kind: "bare", body: { response: { data, total_count: all.length }, client: null } };
};
