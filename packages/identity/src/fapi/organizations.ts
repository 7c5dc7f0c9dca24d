/**
 * The Frontend API side of organizations, for clerk-js: the signed-in user's memberships (in the
 * user JSON and at `GET /v1/me/organization_memberships`) and creating an organization (the
 * creator becomes its admin). Private metadata never appears here.
 */
import type { ActiveSession } from "../domain/service.js";
import { ApiError } from "../errors.js";
import { parseOrgId } from "../ids.js";
import { acceptInvitation, createOrganization, pendingInvitationsFor } from "../domain/organizations.js";
import { invitationJSON, organizationJSON, publicInvitation } from "../bapi/org-json.js";
import type { Endpoint } from "./steps/pipeline.js";
import { membershipsOf } from "./memberships.js";
import { renderClient } from "./render.js";

export const getMyMemberships: Endpoint<ActiveSession> = async (env, { user }) => {
  const q = env.req.query;
  const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? 10) || 10));
  const offset = Math.max(0, Number(q.get("offset") ?? 0) || 0);
  return { kind: "bare", body: { response: await membershipsOf(env.svc, user, limit, offset), client: null } };
};

export const createMyOrganization: Endpoint<ActiveSession> = async (env, { user }) => {
  const f = env.req.fields;
  const org = await createOrganization(env.svc, {
    name: f.required("name", 256),
    slug: f.nullableStr("slug", 64) ?? null,
    createdBy: user.id,
  });
  return {
    kind: "bare",
    body: { response: organizationJSON(org, false), client: await renderClient(env.svc, env.ctx, env.req.origin) },
  };
};

/** `user.getOrganizationInvitations()`: pending invitations to the user's verified addresses. */
export const getMyInvitations: Endpoint<ActiveSession> = async (env, { user }) => {
  const all = await pendingInvitationsFor(env.svc, user);
  const data = [];
  for (const inv of all) {
    const org = await env.svc.store.getOrganization(env.svc.instanceId, inv.organizationId);
    if (org) data.push(publicInvitation(invitationJSON(inv, org, env.svc.orgRoles)));
  }
  return { kind: "bare", body: { response: { data, total_count: data.length }, client: null } };
};

/** `invitation.accept()`: the user joins with the invitation's role. */
export const acceptMyInvitation: Endpoint<ActiveSession> = async (env, { user }, p) => {
  const id = p.id ? parseOrgId.invitation(p.id) : null;
  const inv = id ? await env.svc.store.getInvitation(env.svc.instanceId, id) : null;
  if (!inv) throw new ApiError("resource_not_found", { param: "invitation_id" });
  const accepted = await acceptInvitation(env.svc, user, inv);
  const org = await env.svc.store.getOrganization(env.svc.instanceId, accepted.organizationId);
  return {
    kind: "bare",
    body: {
      response: org ? publicInvitation(invitationJSON(accepted, org, env.svc.orgRoles)) : null,
      client: await renderClient(env.svc, env.ctx, env.req.origin),
    },
  };
};
