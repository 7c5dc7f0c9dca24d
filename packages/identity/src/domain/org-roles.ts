/** Clerk's default organization roles and their system permissions. */
export const ORG_ROLES = {
  "org:admin": {
    name: "Admin",
    permissions: [
      "org:sys_profile:manage", "org:sys_profile:delete", "org:sys_memberships:read", "org:sys_memberships:manage",
      "org:sys_domains:read", "org:sys_domains:manage",
    ],
  },
  "org:member": { name: "Member", permissions: ["org:sys_memberships:read"] },
} as const satisfies Record<string, { name: string; permissions: readonly string[] }>;

export type OrgRole = keyof typeof ORG_ROLES;

export const isOrgRole = (s: string): s is OrgRole => Object.hasOwn(ORG_ROLES, s);

export const roleName = (role: string) => (isOrgRole(role) ? ORG_ROLES[role].name : role);
export const rolePermissions = (role: string): string[] => (isOrgRole(role) ? [...ORG_ROLES[role].permissions] : []);
