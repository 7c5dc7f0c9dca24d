/** organization.*, organizationMembership.*, organizationInvitation.* events (ordered per organization). */
import type { IdentityService } from "../domain/service.js";
import type { InvitationRecord, MembershipRecord, OrganizationRecord } from "../store/org-types.js";
import type { UserRecord } from "../store/types.js";
import { invitationJSON, membershipJSON, organizationJSON } from "../bapi/org-json.js";
import { makeEvent } from "./events.js";

export const organizationEvent = (
  svc: IdentityService,
  type: "organization.created" | "organization.updated",
  o: OrganizationRecord,
) => makeEvent(svc, type, organizationJSON(o), o.id);

export const organizationDeletedEvent = (svc: IdentityService, o: OrganizationRecord) =>
  makeEvent(svc, "organization.deleted", { object: "organization", id: o.id, slug: o.slug, deleted: true }, o.id);

export const membershipEvent = (
  svc: IdentityService,
  type: "organizationMembership.created" | "organizationMembership.updated" | "organizationMembership.deleted",
  m: MembershipRecord,
  o: OrganizationRecord,
  u: UserRecord | null,
) => makeEvent(svc, type, membershipJSON(m, o, u, svc.orgRoles), o.id);

export const invitationEvent = (
  svc: IdentityService,
  type: "organizationInvitation.created" | "organizationInvitation.accepted" | "organizationInvitation.revoked",
  i: InvitationRecord,
  o: OrganizationRecord,
) => makeEvent(svc, type, invitationJSON(i, o, svc.orgRoles), o.id);
