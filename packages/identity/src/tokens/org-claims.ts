/**
 * What the active organization adds to tokens. Session tokens carry Clerk's v2 `o` claim (what
 * `@clerk/backend` reads; `rol` without the `org:` prefix) and the flat `org_id`, `org_role`,
 * `org_slug`, `org_permissions` claims (what Convex functions read through `getUserIdentity()`).
 * Templates get the `org` and `org_membership` shortcode objects.
 */
import type { MembershipRecord, OrganizationRecord } from "../store/org-types.js";
import { rolePermissions } from "../domain/org-roles.js";

export interface ActiveOrg {
  org: OrganizationRecord;
  membership: MembershipRecord;
}

export function sessionOrgClaims(a: ActiveOrg): Record<string, unknown> {
  const { org, membership } = a;
  return {
    o: { id: org.id, slg: org.slug, rol: membership.role.replace(/^org:/, "") },
    org_id: org.id,
    org_slug: org.slug,
    org_role: membership.role,
    org_permissions: rolePermissions(membership.role),
  };
}

export function shortcodeOrg(a: ActiveOrg | null | undefined): { org: Record<string, unknown> | null; org_membership: Record<string, unknown> | null } {
  if (!a) return { org: null, org_membership: null };
  const { org, membership } = a;
  return {
    org: {
      id: org.id,
      name: org.name,
      slug: org.slug,
      image_url: org.imageUrl ?? "",
      has_image: Boolean(org.imageUrl),
      role: membership.role,
      permissions: rolePermissions(membership.role),
      public_metadata: org.publicMetadata,
    },
    org_membership: { public_metadata: membership.publicMetadata },
  };
}
