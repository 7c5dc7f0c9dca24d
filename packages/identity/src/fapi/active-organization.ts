/**
 * The active organization a request names: `active_organization_id` on a session touch (clerk-js 5
 * `setActive({ organization })`) or `organization_id` on a session-token mint (clerk-js 6 sends
 * the organization with every mint). An organization the user belongs to, or null/"" for the
 * personal account. Absent: unchanged.
 */
import { ApiError } from "../errors.js";
import { parseOrgId } from "../ids.js";
import type { ActiveSession, IdentityService } from "../domain/service.js";
import type { Fields } from "../http/fields.js";
import type { SessionRecord } from "../store/types.js";

export async function chosenOrganization(
  svc: IdentityService,
  f: Fields,
  s: SessionRecord,
  param: "active_organization_id" | "organization_id" = "active_organization_id",
): Promise<Pick<SessionRecord, "activeOrganizationId"> | Record<string, never>> {
  if (!f.has(param)) return {};
  const raw = f.nullableStr(param, 64);
  if (raw === null || raw === undefined) return { activeOrganizationId: null };
  const id = parseOrgId.organization(raw);
  const member = id ? await svc.store.getMembership(svc.instanceId, id, s.userId) : null;
  if (!member) throw new ApiError("not_a_member_in_organization", { param });
  return { activeOrganizationId: member.organizationId };
}

/** A mint that names an organization makes it the session's active one (as Clerk records it). */
export async function withMintOrganization(svc: IdentityService, f: Fields, a: ActiveSession): Promise<ActiveSession> {
  const chosen = await chosenOrganization(svc, f, a.session, "organization_id");
  if (
    !("activeOrganizationId" in chosen) ||
    (chosen.activeOrganizationId ?? null) === (a.session.activeOrganizationId ?? null)
  )
    return a;
  const session = { ...a.session, ...chosen, updatedAt: svc.now() };
  await svc.store.saveSession(session);
  return { ...a, session };
}
