/** Custom organization roles and permissions in SQLite (two small tables; a role keeps its permission ids as JSON). */
import type Database from "better-sqlite3";
import type { InstanceId } from "../../ids.js";
import type { OrgPermissionRecord, OrgRoleRecord, OrgRoleStore } from "../org-types.js";
import { UniqueViolation } from "../types.js";
import type { Row } from "./rows.js";

export const orgRoleSchema = `
CREATE TABLE IF NOT EXISTS organization_permissions (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organization_permissions_key ON organization_permissions(instance_id, key);
CREATE TABLE IF NOT EXISTS organization_roles (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  description TEXT NOT NULL,
  permission_ids TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organization_roles_key ON organization_roles(instance_id, key);
`;

const unique = (e: unknown) =>
  (e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE" ? new UniqueViolation("role_key") : e;

export function sqliteOrgRoles(db: Database.Database): OrgRoleStore {
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
  const deletePermTx = db.transaction((instanceId: string, id: string) => {
    for (const r of (db.prepare("SELECT * FROM organization_roles WHERE instance_id = ?").all(instanceId) as Row[]).map(
      roleFromRow,
    ))
      if (r.permissionIds.includes(id as OrgRoleRecord["permissionIds"][number]))
        db.prepare("UPDATE organization_roles SET permission_ids = ? WHERE id = ?").run(
          JSON.stringify(r.permissionIds.filter((p) => p !== id)),
          r.id,
        );
    return (
      db.prepare("DELETE FROM organization_permissions WHERE instance_id = ? AND id = ?").run(instanceId, id).changes >
      0
    );
  });
  return {
    async saveOrgPermission(p) {
      try {
        db.prepare(
          `INSERT INTO organization_permissions (id, instance_id, name, key, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key, description = excluded.description, updated_at = excluded.updated_at`,
        ).run(p.id, p.instanceId, p.name, p.key, p.description, p.createdAt, p.updatedAt);
      } catch (e) {
        throw unique(e);
      }
    },
    async listOrgPermissions(instanceId) {
      return (
        db
          .prepare("SELECT * FROM organization_permissions WHERE instance_id = ? ORDER BY created_at, id")
          .all(instanceId) as Row[]
      ).map(permFromRow);
    },
    async deleteOrgPermission(instanceId, id) {
      return deletePermTx(instanceId, id);
    },
    async saveOrgRole(r) {
      try {
        db.prepare(
          `INSERT INTO organization_roles (id, instance_id, name, key, description, permission_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key, description = excluded.description,
           permission_ids = excluded.permission_ids, updated_at = excluded.updated_at`,
        ).run(
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
        db
          .prepare("SELECT * FROM organization_roles WHERE instance_id = ? ORDER BY created_at, id")
          .all(instanceId) as Row[]
      ).map(roleFromRow);
    },
    async deleteOrgRole(instanceId, id) {
      return (
        db.prepare("DELETE FROM organization_roles WHERE instance_id = ? AND id = ?").run(instanceId, id).changes > 0
      );
    },
    async countRoleUses(instanceId, key) {
      const m = db
        .prepare("SELECT count(*) AS n FROM organization_memberships WHERE instance_id = ? AND role = ?")
        .get(instanceId, key) as Row;
      const i = db
        .prepare(
          "SELECT count(*) AS n FROM organization_invitations WHERE instance_id = ? AND role = ? AND status = 'pending'",
        )
        .get(instanceId, key) as Row;
      return Number(m.n) + Number(i.n);
    },
  };
}
