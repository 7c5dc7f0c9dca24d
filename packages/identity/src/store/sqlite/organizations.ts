/** The organization half of the SQLite store; writes go through `withEvents` (outbox in the same transaction). */
import type Database from "better-sqlite3";
import type { InstanceId, UserId } from "../../ids.js";
import type { InvitationRecord, MembershipRecord, OrganizationRecord, OrganizationStore } from "../org-types.js";
import type { OutboxEvent } from "../webhook-types.js";
import { UniqueViolation } from "../types.js";
import type { Row } from "./rows.js";

type WithEvents = <A extends unknown[], R>(
  fn: (...a: A) => R,
) => (events: readonly OutboxEvent[] | undefined, ...a: A) => R;

const json = (v: unknown) => JSON.parse(String(v)) as Record<string, unknown>;
const optStr = (v: unknown) => (v === null || v === undefined ? null : String(v));

function orgFromRow(r: Row): OrganizationRecord {
  return {
    id: r.id as OrganizationRecord["id"],
    instanceId: r.instance_id as InstanceId,
    name: String(r.name),
    slug: String(r.slug),
    imageUrl: optStr(r.image_url),
    createdBy: optStr(r.created_by) as UserId | null,
    maxAllowedMemberships: Number(r.max_allowed_memberships),
    publicMetadata: json(r.public_metadata),
    privateMetadata: json(r.private_metadata),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function membershipFromRow(r: Row): MembershipRecord {
  return {
    id: r.id as MembershipRecord["id"],
    instanceId: r.instance_id as InstanceId,
    organizationId: r.organization_id as MembershipRecord["organizationId"],
    userId: r.user_id as UserId,
    role: String(r.role),
    publicMetadata: json(r.public_metadata),
    privateMetadata: json(r.private_metadata),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function invitationFromRow(r: Row): InvitationRecord {
  return {
    id: r.id as InvitationRecord["id"],
    instanceId: r.instance_id as InstanceId,
    organizationId: r.organization_id as InvitationRecord["organizationId"],
    email: String(r.email),
    role: String(r.role),
    status: r.status as InvitationRecord["status"],
    inviterUserId: optStr(r.inviter_user_id) as UserId | null,
    publicMetadata: json(r.public_metadata),
    privateMetadata: json(r.private_metadata),
    expiresAt: Number(r.expires_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function upsert(db: Database.Database, table: string, row: Record<string, unknown>): void {
  const cols = Object.keys(row);
  db.prepare(
    `INSERT INTO ${table} (${cols.join(",")}) VALUES (${cols.map((c) => "@" + c).join(",")})
     ON CONFLICT(id) DO UPDATE SET ${cols
       .filter((c) => c !== "id")
       .map((c) => `${c} = excluded.${c}`)
       .join(", ")}`,
  ).run(row);
}

export function sqliteOrganizations(db: Database.Database, withEvents: WithEvents): OrganizationStore {
  const saveOrg = withEvents((o: OrganizationRecord) =>
    upsert(db, "organizations", {
      id: o.id,
      instance_id: o.instanceId,
      name: o.name,
      slug: o.slug,
      image_url: o.imageUrl,
      created_by: o.createdBy,
      max_allowed_memberships: o.maxAllowedMemberships,
      public_metadata: JSON.stringify(o.publicMetadata),
      private_metadata: JSON.stringify(o.privateMetadata),
      created_at: o.createdAt,
      updated_at: o.updatedAt,
    }),
  );
  const deleteOrg = withEvents((instanceId: string, id: string) => {
    // The active organization of sessions goes with it (clerk-js then shows the personal account).
    db.prepare(
      "UPDATE sessions SET active_organization_id = NULL WHERE instance_id = ? AND active_organization_id = ?",
    ).run(instanceId, id);
    return db.prepare("DELETE FROM organizations WHERE instance_id = ? AND id = ?").run(instanceId, id).changes > 0;
  });
  const saveMember = withEvents((m: MembershipRecord) =>
    upsert(db, "organization_memberships", {
      id: m.id,
      instance_id: m.instanceId,
      organization_id: m.organizationId,
      user_id: m.userId,
      role: m.role,
      public_metadata: JSON.stringify(m.publicMetadata),
      private_metadata: JSON.stringify(m.privateMetadata),
      created_at: m.createdAt,
      updated_at: m.updatedAt,
    }),
  );
  const deleteMember = withEvents((instanceId: string, orgId: string, userId: string) => {
    db.prepare(
      "UPDATE sessions SET active_organization_id = NULL WHERE instance_id = ? AND user_id = ? AND active_organization_id = ?",
    ).run(instanceId, userId, orgId);
    return (
      db
        .prepare("DELETE FROM organization_memberships WHERE instance_id = ? AND organization_id = ? AND user_id = ?")
        .run(instanceId, orgId, userId).changes > 0
    );
  });
  const saveInv = withEvents((i: InvitationRecord) =>
    upsert(db, "organization_invitations", {
      id: i.id,
      instance_id: i.instanceId,
      organization_id: i.organizationId,
      email: i.email,
      role: i.role,
      status: i.status,
      inviter_user_id: i.inviterUserId,
      public_metadata: JSON.stringify(i.publicMetadata),
      private_metadata: JSON.stringify(i.privateMetadata),
      expires_at: i.expiresAt,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
    }),
  );

  return {
    async saveOrganization(o, events) {
      try {
        saveOrg(events, o);
      } catch (e) {
        if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw new UniqueViolation("slug");
        throw e;
      }
    },
    async getOrganization(instanceId, idOrSlug) {
      const r = db
        .prepare("SELECT * FROM organizations WHERE instance_id = ? AND (id = ? OR slug = ?)")
        .get(instanceId, idOrSlug, idOrSlug) as Row | undefined;
      return r ? orgFromRow(r) : null;
    },
    async listOrganizations(instanceId, q) {
      const where = ["instance_id = ?"];
      const args: unknown[] = [instanceId];
      if (q.query) {
        const like = "%" + q.query.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c) + "%";
        where.push("(lower(name) LIKE ? ESCAPE '\\' OR lower(slug) LIKE ? ESCAPE '\\' OR id = ?)");
        args.push(like, like, q.query);
      }
      const sql = where.join(" AND ");
      const rows = db
        .prepare(`SELECT * FROM organizations WHERE ${sql} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
        .all(...args, q.limit, q.offset) as Row[];
      const total = Number((db.prepare(`SELECT count(*) AS n FROM organizations WHERE ${sql}`).get(...args) as Row).n);
      return { data: rows.map(orgFromRow), total };
    },
    async deleteOrganization(instanceId, id, events) {
      return deleteOrg(events, instanceId, id);
    },
    async saveMembership(m, events) {
      saveMember(events, m);
    },
    async getMembership(instanceId, orgId, userId) {
      const r = db
        .prepare("SELECT * FROM organization_memberships WHERE instance_id = ? AND organization_id = ? AND user_id = ?")
        .get(instanceId, orgId, userId) as Row | undefined;
      return r ? membershipFromRow(r) : null;
    },
    async listMemberships(instanceId, q) {
      const where = ["instance_id = ?"];
      const args: unknown[] = [instanceId];
      if (q.organizationId) (where.push("organization_id = ?"), args.push(q.organizationId));
      if (q.userId) (where.push("user_id = ?"), args.push(q.userId));
      const sql = where.join(" AND ");
      const rows = db
        .prepare(`SELECT * FROM organization_memberships WHERE ${sql} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
        .all(...args, q.limit, q.offset) as Row[];
      const total = Number(
        (db.prepare(`SELECT count(*) AS n FROM organization_memberships WHERE ${sql}`).get(...args) as Row).n,
      );
      return { data: rows.map(membershipFromRow), total };
    },
    async deleteMembership(instanceId, orgId, userId, events) {
      return deleteMember(events, instanceId, orgId, userId);
    },
    async saveInvitation(i, events) {
      saveInv(events, i);
    },
    async getInvitation(instanceId, id) {
      const r = db
        .prepare("SELECT * FROM organization_invitations WHERE instance_id = ? AND id = ?")
        .get(instanceId, id) as Row | undefined;
      return r ? invitationFromRow(r) : null;
    },
    async listInvitations(instanceId, orgId, status) {
      const rows = db
        .prepare(
          `SELECT * FROM organization_invitations WHERE instance_id = ? AND organization_id = ? ${status ? "AND status = ?" : ""} ORDER BY created_at DESC, id`,
        )
        .all(instanceId, orgId, ...(status ? [status] : [])) as Row[];
      return rows.map(invitationFromRow);
    },
    async listPendingInvitationsFor(instanceId, email) {
      const rows = db
        .prepare(
          "SELECT * FROM organization_invitations WHERE instance_id = ? AND email = ? AND status = 'pending' ORDER BY created_at, id",
        )
        .all(instanceId, email.toLowerCase()) as Row[];
      return rows.map(invitationFromRow);
    },
  };
}
