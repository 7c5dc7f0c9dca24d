/**
 * What the active organization adds to tokens. Session tokens carry Clerk's v2 `o` claim (what
 * `@clerk/backend` reads; `rol` without the `org:` prefix) and the flat `org_id`, `org_role`,
 * `org_slug`, `org_permissions` claims (what Convex functions read through `getUserIdentity()`).
 * Templates get the `org` and `org_membership` shortcode objects.
 */
import type { MembershipRecord, OrganizationRecord } from "../store/org-types.js";

export interface ActiveOrg {
  org: OrganizationRecord;
  membership: MembershipRecord;
  /** The permissions of the membership's role. */
  permissions: string[];
}

/**
 * Clerk v2's compact form of custom permissions: features `fea` ("o:<feature>,…"), actions `per`
 * ("<action>,…") and per feature a decimal bit mask `fpm` over `per` (bit i = action i held).
 * System (`org:sys_*`) permissions are not encoded, as in Clerk.
 */
function compactPermissions(permissions: string[]): { fea: string; per: string; fpm: string } | null {
  const pairs = permissions
    .map((p) => /^org:([a-z0-9_]+):([a-z0-9_]+)$/.exec(p))
    .filter((m): m is RegExpExecArray => m !== null && !m[1]!.startsWith("sys_"));
  if (!pairs.length) return null;
  const features = [...new Set(pairs.map((m) => m[1]!))];
  const actions = [...new Set(pairs.map((m) => m[2]!))];
  const masks = features.map((f) =>
    pairs.filter((m) => m[1] === f).reduce((acc, m) => acc + 2n ** BigInt(actions.indexOf(m[2]!)), 0n),
  );
  return { fea: features.map((f) => `o:${f}`).join(","), per: actions.join(","), fpm: masks.map(String).join(",") };
}

export function sessionOrgClaims(a: ActiveOrg): Record<string, unknown> {
  const { org, membership } = a;
  const compact = compactPermissions(a.permissions);
  return {
    ...(compact ? { fea: compact.fea } : {}),
    o: {
      id: org.id,
      slg: org.slug,
      rol: membership.role.replace(/^org:/, ""),
      ...(compact ? { per: compact.per, fpm: compact.fpm } : {}),
    },
    org_id: org.id,
    org_slug: org.slug,
    org_role: membership.role,
    org_permissions: a.permissions,
  };
}

export function shortcodeOrg(a: ActiveOrg | null | undefined): {
  org: Record<string, unknown> | null;
  org_membership: Record<string, unknown> | null;
} {
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
      permissions: a.permissions,
      public_metadata: org.publicMetadata,
    },
    org_membership: { public_metadata: membership.publicMetadata },
  };
}
