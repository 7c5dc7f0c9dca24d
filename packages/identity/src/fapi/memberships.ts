/** The signed-in user's organization memberships as the Frontend API shows them (no private metadata). */
import type { IdentityService } from "../domain/service.js";
import { membershipJSON } from "../bapi/org-json.js";
import type { UserRecord } from "../store/types.js";

export async function membershipsOf(svc: IdentityService, u: UserRecord, limit = 100, offset = 0) {
  const { data, total } = await svc.store.listMemberships(svc.instanceId, { userId: u.id, limit, offset });
  const out = [];
  for (const m of data) {
    const o = await svc.store.getOrganization(svc.instanceId, m.organizationId);
    if (o) out.push(membershipJSON(m, o, u, svc.orgRoles, false));
  }
  return { data: out, total_count: total };
}

/** A FAPI user JSON with its organization memberships filled in. */
export async function withMemberships<T extends object>(svc: IdentityService, userJson: T, u: UserRecord): Promise<T> {
  return { ...userJson, organization_memberships: (await membershipsOf(svc, u)).data };
}
