/**
 * The Frontend API side of organizations, for clerk-js: the signed-in user's memberships (in the
 * user JSON and at `GET /v1/me/organization_memberships`) and creating an organization (the
 * creator becomes its admin). Private metadata never appears here.
 */
import type { IdentityService } from "../domain/service.js";
import type { ActiveSession } from "../domain/service.js";
import { createOrganization } from "../domain/organizations.js";
import { membershipJSON, organizationJSON } from "../bapi/org-json.js";
import type { UserRecord } from "../store/types.js";
import type { Endpoint } from "./steps/pipeline.js";

export async function membershipsOf(svc: IdentityService, u: UserRecord, limit = 100, offset = 0) {
  const { data, total } = await svc.store.listMemberships(svc.instanceId, { userId: u.id, limit, offset });
  const out = [];
  for (const m of data) {
    const o = await svc.store.getOrganization(svc.instanceId, m.organizationId);
    if (o) out.push(membershipJSON(m, o, u, false));
  }
  return { data: out, total_count: total };
}

/** A FAPI user JSON with its organization memberships filled in. */
export async function withMemberships<T extends object>(svc: IdentityService, userJson: T, u: UserRecord): Promise<T> {
  return { ...userJson, organization_memberships: (await membershipsOf(svc, u)).data };
}

export const getMyMemberships: Endpoint<ActiveSession> = async (env, { user }) => {
  const q = env.req.query;
  const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? 10) || 10));
  const offset = Math.max(0, Number(q.get("offset") ?? 0) || 0);
  return { kind: "bare", body: { response: await membershipsOf(env.svc, user, limit, offset), client: null } };
};

export const createMyOrganization: Endpoint<ActiveSession> = async (env, { user }) => {
  const f = env.req.fields;
  const org = await createOrganization(env.svc, { name: f.required("name", 256), slug: f.nullableStr("slug", 64) ?? null, createdBy: user.id });
  return { kind: "bare", body: { response: organizationJSON(org, false), client: null } };
};
