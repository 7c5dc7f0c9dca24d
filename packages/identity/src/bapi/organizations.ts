/** Backend API: organizations, memberships, invitations (the routes `@clerk/backend`'s OrganizationAPI calls). */
import { ApiError } from "../errors.js";
import { parseId, parseOrgId } from "../ids.js";
import { ok, type Req } from "../http/context.js";
import type { IdentityService } from "../domain/service.js";
import {
  addMember,
  createOrganization,
  deleteOrganization,
  inviteToOrganization,
  removeMember,
  requireMembership,
  revokeInvitation,
  updateMember,
  updateOrganization,
} from "../domain/organizations.js";
import { checkMetadata, mergeMetadata } from "../domain/validate.js";
import type { OrganizationRecord } from "../store/org-types.js";
import { deletedJSON } from "./json.js";
import { invitationJSON, membershipJSON, organizationJSON } from "./org-json.js";
import type { BapiHandler } from "./users.js";

async function org(svc: IdentityService, idOrSlug: string): Promise<OrganizationRecord> {
  const o = idOrSlug.length <= 128 ? await svc.store.getOrganization(svc.instanceId, idOrSlug) : null;
  if (!o) throw new ApiError("resource_not_found", { param: "organization_id" });
  return o;
}

async function user(svc: IdentityService, id: string | undefined, param = "user_id") {
  const uid = id ? parseId.user(id) : null;
  const u = uid ? await svc.store.getUser(svc.instanceId, uid) : null;
  if (!u) throw new ApiError("resource_not_found", { param });
  return u;
}

function paging(req: Req): { limit: number; offset: number } {
  const limit = Number(req.query.get("limit") ?? 10);
  const offset = Number(req.query.get("offset") ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new ApiError("form_param_value_invalid", { param: "limit" });
  if (!Number.isInteger(offset) || offset < 0) throw new ApiError("form_param_value_invalid", { param: "offset" });
  return { limit, offset };
}

const membersCount = async (svc: IdentityService, o: OrganizationRecord) =>
  (await svc.store.listMemberships(svc.instanceId, { organizationId: o.id, limit: 1, offset: 0 })).total;

export const listOrganizations: BapiHandler = async (svc, req) => {
  const query = req.query.get("query") ?? undefined;
  if (query && query.length > 256) throw new ApiError("form_param_max_length_exceeded", { param: "query" });
  const withCount = req.query.get("include_members_count") === "true";
  const { data, total } = await svc.store.listOrganizations(svc.instanceId, {
    ...paging(req),
    ...(query ? { query } : {}),
  });
  const out = await Promise.all(
    data.map(async (o) => organizationJSON(o, true, withCount ? await membersCount(svc, o) : undefined)),
  );
  return ok({ data: out, total_count: total });
};

export const postOrganization: BapiHandler = async (svc, req) => {
  const f = req.fields;
  const createdBy = f.nullableStr("created_by", 64);
  const o = await createOrganization(svc, {
    name: f.required("name", 256),
    slug: f.nullableStr("slug", 64) ?? null,
    createdBy: createdBy ? (await user(svc, createdBy, "created_by")).id : null,
    maxAllowedMemberships: f.int("max_allowed_memberships") ?? null,
    publicMetadata: f.object("public_metadata") ?? undefined,
    privateMetadata: f.object("private_metadata") ?? undefined,
  });
  return ok(organizationJSON(o, true, await membersCount(svc, o)));
};

export const getOrganization: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  return ok(
    organizationJSON(
      o,
      true,
      req.query.get("include_members_count") === "true" ? await membersCount(svc, o) : undefined,
    ),
  );
};

export const patchOrganization: BapiHandler = async (svc, req, p) => {
  const f = req.fields;
  const o = await updateOrganization(svc, await org(svc, p.id!), {
    ...(f.has("name") ? { name: f.required("name", 256) } : {}),
    ...(f.has("slug") ? { slug: f.required("slug", 64) } : {}),
    ...(f.has("max_allowed_memberships") ? { maxAllowedMemberships: f.int("max_allowed_memberships") ?? null } : {}),
    ...(f.has("public_metadata") ? { publicMetadata: f.object("public_metadata") ?? {} } : {}),
    ...(f.has("private_metadata") ? { privateMetadata: f.object("private_metadata") ?? {} } : {}),
  });
  return ok(organizationJSON(o));
};

/** PATCH merges (null deletes a key), PUT replaces the kinds it is given. */
const orgMetadata =
  (merge: boolean): BapiHandler =>
  async (svc, req, p) => {
    const o = await org(svc, p.id!);
    const apply = (kind: "public_metadata" | "private_metadata", base: Record<string, unknown>) => {
      const v = req.fields.object(kind);
      if (v === undefined) return base;
      const patch = checkMetadata(v ?? {}, kind);
      return checkMetadata(merge ? mergeMetadata(base, patch) : patch, kind);
    };
    const next = await updateOrganization(svc, o, {
      publicMetadata: apply("public_metadata", o.publicMetadata),
      privateMetadata: apply("private_metadata", o.privateMetadata),
    });
    return ok(organizationJSON(next));
  };
export const mergeOrganizationMetadata = orgMetadata(true);
export const replaceOrganizationMetadata = orgMetadata(false);

export const deleteOrganizationRoute: BapiHandler = async (svc, _req, p) => {
  const o = await org(svc, p.id!);
  await deleteOrganization(svc, o);
  return ok(deletedJSON("organization", o.id));
};

export const listMemberships: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  const { data, total } = await svc.store.listMemberships(svc.instanceId, { organizationId: o.id, ...paging(req) });
  const out = await Promise.all(
    data.map(async (m) => membershipJSON(m, o, await svc.store.getUser(svc.instanceId, m.userId), svc.orgRoles)),
  );
  return ok({ data: out, total_count: total });
};

export const postMembership: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  const u = await user(svc, req.fields.required("user_id", 64));
  const m = await addMember(svc, o, u, req.fields.required("role", 64));
  return ok(membershipJSON(m, o, u, svc.orgRoles));
};

export const patchMembership: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  const u = await user(svc, p.user_id);
  const m = await updateMember(svc, o, await requireMembership(svc, o, u.id), {
    role: req.fields.required("role", 64),
  });
  return ok(membershipJSON(m, o, u, svc.orgRoles));
};

export const patchMembershipMetadata: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  const u = await user(svc, p.user_id);
  const m = await requireMembership(svc, o, u.id);
  const merged = (kind: "public_metadata" | "private_metadata", base: Record<string, unknown>) => {
    const v = req.fields.object(kind);
    return v === undefined ? base : checkMetadata(mergeMetadata(base, checkMetadata(v ?? {}, kind)), kind);
  };
  const next = await updateMember(svc, o, m, {
    publicMetadata: merged("public_metadata", m.publicMetadata),
    privateMetadata: merged("private_metadata", m.privateMetadata),
  });
  return ok(membershipJSON(next, o, u, svc.orgRoles));
};

export const deleteMembership: BapiHandler = async (svc, _req, p) => {
  const o = await org(svc, p.id!);
  const u = await user(svc, p.user_id);
  const m = await requireMembership(svc, o, u.id);
  await removeMember(svc, o, m);
  return ok(membershipJSON(m, o, u, svc.orgRoles));
};

export const listUserMemberships: BapiHandler = async (svc, req, p) => {
  const u = await user(svc, p.id);
  const { data, total } = await svc.store.listMemberships(svc.instanceId, { userId: u.id, ...paging(req) });
  const out = [];
  for (const m of data) {
    const o = await svc.store.getOrganization(svc.instanceId, m.organizationId);
    if (o) out.push(membershipJSON(m, o, u, svc.orgRoles));
  }
  return ok({ data: out, total_count: total });
};

export const listInvitations: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  const status = req.query.get("status");
  if (status !== null && status !== "pending" && status !== "accepted" && status !== "revoked")
    throw new ApiError("form_param_value_invalid", { param: "status" });
  const all = await svc.store.listInvitations(svc.instanceId, o.id, status);
  const { limit, offset } = paging(req);
  return ok({
    data: all.slice(offset, offset + limit).map((i) => invitationJSON(i, o, svc.orgRoles)),
    total_count: all.length,
  });
};

export const postInvitation: BapiHandler = async (svc, req, p) => {
  const o = await org(svc, p.id!);
  const f = req.fields;
  const inviter = f.nullableStr("inviter_user_id", 64);
  const inv = await inviteToOrganization(svc, o, {
    email: f.required("email_address", 320),
    role: f.required("role", 64),
    inviterUserId: inviter ? (await user(svc, inviter, "inviter_user_id")).id : null,
    publicMetadata: f.object("public_metadata") ?? undefined,
    privateMetadata: f.object("private_metadata") ?? undefined,
  });
  return ok(invitationJSON(inv, o, svc.orgRoles));
};

async function invitation(svc: IdentityService, o: OrganizationRecord, id: string | undefined) {
  const iid = id ? parseOrgId.invitation(id) : null;
  const inv = iid ? await svc.store.getInvitation(svc.instanceId, iid) : null;
  if (!inv || inv.organizationId !== o.id) throw new ApiError("resource_not_found", { param: "invitation_id" });
  return inv;
}

export const getInvitation: BapiHandler = async (svc, _req, p) => {
  const o = await org(svc, p.id!);
  return ok(invitationJSON(await invitation(svc, o, p.invitation_id), o, svc.orgRoles));
};

export const revokeInvitationRoute: BapiHandler = async (svc, _req, p) => {
  const o = await org(svc, p.id!);
  return ok(invitationJSON(await revokeInvitation(svc, o, await invitation(svc, o, p.invitation_id)), o, svc.orgRoles));
};
