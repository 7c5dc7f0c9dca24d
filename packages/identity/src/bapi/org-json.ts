/** Organization resources in Clerk's shapes (what `@clerk/backend`'s and clerk-js's deserialisers read). */
import type { InvitationRecord, MembershipRecord, OrganizationRecord } from "../store/org-types.js";
import type { UserRecord } from "../store/types.js";
import { primaryEmail } from "../tokens/user-claims.js";
import type { RoleCatalog } from "../domain/org-roles.js";

/** `withPrivate`: the Backend API shows private metadata; the Frontend API never does. */
export function organizationJSON(o: OrganizationRecord, withPrivate = true, membersCount?: number) {
  return {
    object: "organization",
    id: o.id,
    name: o.name,
    slug: o.slug,
    image_url: o.imageUrl ?? "",
    has_image: Boolean(o.imageUrl),
    created_by: o.createdBy,
    max_allowed_memberships: o.maxAllowedMemberships,
    admin_delete_enabled: true,
    public_metadata: o.publicMetadata,
    ...(withPrivate ? { private_metadata: o.privateMetadata } : {}),
    ...(membersCount !== undefined ? { members_count: membersCount } : {}),
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

export function membershipJSON(
  m: MembershipRecord,
  o: OrganizationRecord,
  u: UserRecord | null,
  roles: RoleCatalog,
  withPrivate = true,
) {
  return {
    object: "organization_membership",
    id: m.id,
    role: m.role,
    role_name: roles.name(m.role),
    permissions: roles.permissions(m.role),
    public_metadata: m.publicMetadata,
    ...(withPrivate ? { private_metadata: m.privateMetadata } : {}),
    organization: organizationJSON(o, withPrivate),
    public_user_data: {
      object: "public_user_data",
      identifier: (u && (primaryEmail(u)?.email ?? u.username)) ?? "",
      first_name: u?.firstName ?? null,
      last_name: u?.lastName ?? null,
      image_url: u?.imageUrl ?? "",
      has_image: Boolean(u?.imageUrl),
      user_id: m.userId,
    },
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export function invitationJSON(i: InvitationRecord, o: OrganizationRecord, roles: RoleCatalog) {
  return {
    object: "organization_invitation",
    id: i.id,
    email_address: i.email,
    role: i.role,
    role_name: roles.name(i.role),
    organization_id: i.organizationId,
    status: i.status,
    public_metadata: i.publicMetadata,
    private_metadata: i.privateMetadata,
    url: null,
    expires_at: i.expiresAt,
    public_organization_data: {
      id: o.id,
      name: o.name,
      slug: o.slug,
      image_url: o.imageUrl ?? "",
      has_image: Boolean(o.imageUrl),
    },
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

/** Invitations as the Frontend API shows them: without private metadata. */
export function publicInvitation(json: ReturnType<typeof invitationJSON>) {
  const { private_metadata: _hidden, ...rest } = json;
  return rest;
}
