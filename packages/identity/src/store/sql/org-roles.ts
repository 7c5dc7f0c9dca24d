/** Custom organization roles and permissions (two small tables; a role keeps its permission ids as JSON). */
import type { InstanceId } from "../../ids.js";
import type { OrgPermissionRecord, OrgRoleRecord, OrgRoleStore } from "../org-types.js";
import { UniqueViolation } from "../types.js";
import { SqlUniqueError, type Row, type SqlDb } from "./db.js";

const unique = (e: unknown) => (e instanceof SqlUniqueError ? new UniqueViolation("role_key") : e);

const permFromRow = (r: Row): OrgPermissionRecord => ({
  id: r.id as OrgPermissionRecord["id"],
  instanceId: r.instance_id as InstanceId,
  name: String(r.name),
  key: String(r.key),
  description: String(r.description),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const roleFromRow = (r: Row): OrgRoleRecord => ({
  id: r.id as OrgRoleRecord["id"],
  instanceId: r.instance_id as InstanceId,
  name: String(r.name),
  key: String(r.key),
  description: String(r.description),
  permissionIds: JSON.parse(String(r.permission_ids)) as OrgRoleRecord["permissionIds"],
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function sqlOrgRoles(db: SqlDb): OrgRoleStore {
  return {
    async saveOrgPermission(p) {
      try {
        await db.run(
          `INSERT INTO organization_permissions (id, instance_id, name, key, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key, description = excluded.description, updated_at = excluded.updated_at`,
          p.id,
          p.instanceId,
          p.name,
          p.key,
          p.description,
          p.createdAt,
          p.updatedAt,
        );
      } catch (e) {
        throw unique(e);
      }
    },
    async listOrgPermissions(instanceId) {
      return (
        await db.all("SELECT * FROM organization_permissions WHERE instance_id = ? ORDER BY created_at, id", instanceId)
      ).map(permFromRow);
    },
    async deleteOrgPermission(instanceId, id) {
      return db.tx(async (t) => {
        const roles = (await t.all("SELECT * FROM organization_roles WHERE instance_id = ?", instanceId)).map(
          roleFromRow,
        );
        for (const r of roles)
          if (r.permissionIds.includes(id))
            await t.run(
              "UPDATE organization_roles SET permission_ids = ? WHERE id = ?",
              JSON.stringify(r.permissionIds.filter((p) => p !== id)),
              r.id,
            );
        return (
          (await t.run("DELETE FROM organization_permissions WHERE instance_id = ? AND id = ?", instanceId, id)) > 0
        );
      });
    },
    async saveOrgRole(r) {
      try {
        await db.run(
          `INSERT INTO organization_roles (id, instance_id, name, key, description, permission_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key, description = excluded.description,
           permission_ids = excluded.permission_ids, updated_at = excluded.updated_at`,
          r.id,
          r.instanceId,
          r.name,
          r.key,
          r.description,
          JSON.stringify(r.permissionIds),
          r.createdAt,
          r.updatedAt,
        );
      } catch (e) {
        throw unique(e);
      }
    },
    async listOrgRoles(instanceId) {
      return (
        await db.all("SELECT * FROM organization_roles WHERE instance_id = ? ORDER BY created_at, id", instanceId)
      ).map(roleFromRow);
    },
    async deleteOrgRole(instanceId, id) {
      return (await db.run("DELETE FROM organization_roles WHERE instance_id = ? AND id = ?", instanceId, id)) > 0;
    },
    async countRoleUses(instanceId, key) {
      const m = await db.one(
        "SELECT count(*) AS n FROM organization_memberships WHERE instance_id = ? AND role = ?",
        instanceId,
        key,
      );
      const i = await db.one(
        "SELECT count(*) AS n FROM organization_invitations WHERE instance_id = ? AND role = ? AND status = 'pending'",
        instanceId,
        key,
      );
      return Number(m?.n ?? 0) + Number(i?.n ?? 0);
    },
  };
}
