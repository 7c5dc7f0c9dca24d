/**
 * Organization roles: Clerk's two system roles and the instance's custom roles (each with its
 * permissions). The catalogue is held in memory per service — reloaded after every role or
 * permission change — so JSON and token builders can ask for names and permissions synchronously.
 */
import type { InstanceId } from "../ids.js";
import type { OrgRoleStore } from "../store/org-types.js";

export const SYSTEM_ROLES = {
  "org:admin": {
    name: "Admin",
    permissions: [
      "org:sys_profile:manage",
      "org:sys_profile:delete",
      "org:sys_memberships:read",
      "org:sys_memberships:manage",
      "org:sys_domains:read",
      "org:sys_domains:manage",
    ],
  },
  "org:member": { name: "Member", permissions: ["org:sys_memberships:read"] },
} as const satisfies Record<string, { name: string; permissions: readonly string[] }>;

const isSystemRole = (key: string): key is keyof typeof SYSTEM_ROLES => Object.hasOwn(SYSTEM_ROLES, key);

export class RoleCatalog {
  #custom = new Map<string, { name: string; permissions: string[] }>();

  has(key: string): boolean {
    return isSystemRole(key) || this.#custom.has(key);
  }

  name(key: string): string {
    return isSystemRole(key) ? SYSTEM_ROLES[key].name : (this.#custom.get(key)?.name ?? key);
  }

  /** A role that no longer exists has no permissions. */
  permissions(key: string): string[] {
    return isSystemRole(key) ? [...SYSTEM_ROLES[key].permissions] : [...(this.#custom.get(key)?.permissions ?? [])];
  }

  keys(): string[] {
    return [...Object.keys(SYSTEM_ROLES), ...this.#custom.keys()];
  }

  async reload(store: OrgRoleStore, instanceId: InstanceId): Promise<void> {
    const perms = new Map((await store.listOrgPermissions(instanceId)).map((p) => [p.id as string, p.key]));
    const next = new Map<string, { name: string; permissions: string[] }>();
    for (const r of await store.listOrgRoles(instanceId))
      next.set(r.key, {
        name: r.name,
        permissions: r.permissionIds.map((id) => perms.get(id)).filter((k): k is string => k !== undefined),
      });
    this.#custom = next;
  }
}
