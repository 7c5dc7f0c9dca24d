/**
 * `active_organization_id` on a session touch (clerk-js `setActive({ organization })`): an
 * organization the user belongs to, or null/"" for the personal account. Absent: unchanged.
 */
import { ApiError } from "../errors.js";
import { parseOrgId } from "../ids.js";
import type { IdentityService } from "../domain/service.js";
import type { Fields } from "../http/fields.js";
import type { SessionRecord } from "../store/types.js";

export async function chosenOrganization(svc: IdentityService, f: Fields, s: SessionRecord): Promise<Pick<SessionRecord, "activeOrganizationId"> | Record<string, never>> {
  if (!f.has("active_organization_id")) return {};
  const raw = f.nullableStr("active_organization_id", 64);
  if (raw === null || raw === undefined) return { activeOrganizationId: null };
  const id = parseOrgId.organization(raw);
  const member = id ? await svc.store.getMembership(svc.instanceId, id, s.userId) : null;
  if (!member) throw new ApiError("not_a_member_in_organization", { param: "active_organization_id" });
  return { activeOrganizationId: member.organizationId };
}
