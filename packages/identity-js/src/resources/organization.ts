/**
 * Organizations as the signed-in user sees them (Clerk's `OrganizationResource` and
 * `OrganizationMembershipResource` fields the hooks and components read).
 */
export interface OrganizationJSON {
  object: "organization";
  id: string;
  name: string;
  slug: string;
  image_url: string;
  has_image: boolean;
  public_metadata: Record<string, unknown>;
  members_count?: number;
  max_allowed_memberships: number;
  created_at: number;
  updated_at: number;
}

export interface OrganizationMembershipJSON {
  object: "organization_membership";
  id: string;
  role: string;
  role_name: string;
  permissions: string[];
  public_metadata: Record<string, unknown>;
  organization: OrganizationJSON;
  created_at: number;
  updated_at: number;
}

export interface OrganizationResource {
  id: string;
  name: string;
  slug: string;
  imageUrl: string;
  hasImage: boolean;
  publicMetadata: Record<string, unknown>;
  membersCount: number | undefined;
  maxAllowedMemberships: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrganizationMembershipResource {
  id: string;
  role: string;
  roleName: string;
  permissions: string[];
  publicMetadata: Record<string, unknown>;
  organization: OrganizationResource;
  createdAt: Date;
  updatedAt: Date;
}

export function organization(json: OrganizationJSON): OrganizationResource {
  return {
    id: json.id,
    name: json.name,
    slug: json.slug,
    imageUrl: json.image_url ?? "",
    hasImage: Boolean(json.has_image),
    publicMetadata: json.public_metadata ?? {},
    membersCount: json.members_count,
    maxAllowedMemberships: json.max_allowed_memberships ?? 0,
    createdAt: new Date(json.created_at),
    updatedAt: new Date(json.updated_at),
  };
}

export function organizationMembership(json: OrganizationMembershipJSON): OrganizationMembershipResource {
  return {
    id: json.id,
    role: json.role,
    roleName: json.role_name ?? json.role,
    permissions: json.permissions ?? [],
    publicMetadata: json.public_metadata ?? {},
    organization: organization(json.organization),
    createdAt: new Date(json.created_at),
    updatedAt: new Date(json.updated_at),
  };
}
