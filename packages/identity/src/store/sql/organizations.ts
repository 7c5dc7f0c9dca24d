/** The organization tables and their methods; writes go through `withEvents` (outbox in the same transaction). */
import type { InstanceId, UserId } from "../../ids.js";
import type { InvitationRecord, MembershipRecord, OrganizationRecord, OrganizationStore } from "../org-types.js";
import type { OutboxEvent } from "../webhook-types.js";
import { UniqueViolation } from "../types.js";
import { SqlUniqueError, type Row, type SqlDb, type SqlExec } from "./db.js";

/** Runs `fn` and writes `events` to the outbox in one transaction (see `sql/store.ts`). */
export type WithEvents = <R>(events: readonly OutboxEvent[] | undefined, fn: (t: SqlExec) => Promise<R>) => Promise<R>;

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

async function upsert(t: SqlExec, table: string, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row);
  await t.run(
    `INSERT INTO ${table} (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})
     ON CONFLICT(id) DO UPDATE SET ${cols
       .filter((c) => c !== "id")
       .map((c) => `${c} = excluded.${c}`)
       .join(", ")}`,
    ...Object.values(row),
  );
}

const orgRow = (o: OrganizationRecord) => ({
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
});

const membershipRow = (m: MembershipRecord) => ({
  id: m.id,
  instance_id: m.instanceId,
  organization_id: m.organizationId,
  user_id: m.userId,
  role: m.role,
  public_metadata: JSON.stringify(m.publicMetadata),
  private_metadata: JSON.stringify(m.privateMetadata),
  created_at: m.createdAt,
  updated_at: m.updatedAt,
});

const invitationRow = (i: InvitationRecord) => ({
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
});

export function sqlOrganizations(db: SqlDb, withEvents: WithEvents): OrganizationStore {
  const page = async (table: string, where: string[], args: unknown[], limit: number, offset: number) => {
    const sql = where.join(" AND ");
    const rows = await db.all(
      `SELECT * FROM ${table} WHERE ${sql} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      ...args,
      limit,
      offset,
    );
    const total = Number((await db.one(`SELECT count(*) AS n FROM ${table} WHERE ${sql}`, ...args))?.n ?? 0);
    return { rows, total };
  };
  return {
    async saveOrganization(o, events) {
      try {
        await withEvents(events, (t) => upsert(t, "organizations", orgRow(o)));
      } catch (e) {
        if (e instanceof SqlUniqueError) throw new UniqueViolation("slug");
        throw e;
      }
    },
    async getOrganization(instanceId, idOrSlug) {
      const r = await db.one(
        "SELECT * FROM organizations WHERE instance_id = ? AND (id = ? OR slug = ?)",
        instanceId,
        idOrSlug,
        idOrSlug,
      );
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
      const { rows, total } = await page("organizations", where, args, q.limit, q.offset);
      return { data: rows.map(orgFromRow), total };
    },
    async deleteOrganization(instanceId, id, events) {
      return withEvents(events, async (t) => {
        // The active organization of sessions goes with it (clerk-js then shows the personal account).
        await t.run(
          "UPDATE sessions SET active_organization_id = NULL WHERE instance_id = ? AND active_organization_id = ?",
          instanceId,
          id,
        );
        return (await t.run("DELETE FROM organizations WHERE instance_id = ? AND id = ?", instanceId, id)) > 0;
      });
    },
    async saveMembership(m, events) {
      await withEvents(events, (t) => upsert(t, "organization_memberships", membershipRow(m)));
    },
    async getMembership(instanceId, orgId, userId) {
      const r = await db.one(
        "SELECT * FROM organization_memberships WHERE instance_id = ? AND organization_id = ? AND user_id = ?",
        instanceId,
        orgId,
        userId,
      );
      return r ? membershipFromRow(r) : null;
    },
    async listMemberships(instanceId, q) {
      const where = ["instance_id = ?"];
      const args: unknown[] = [instanceId];
      if (q.organizationId) (where.push("organization_id = ?"), args.push(q.organizationId));
      if (q.userId) (where.push("user_id = ?"), args.push(q.userId));
      const { rows, total } = await page("organization_memberships", where, args, q.limit, q.offset);
      return { data: rows.map(membershipFromRow), total };
    },
    async deleteMembership(instanceId, orgId, userId, events) {
      return withEvents(events, async (t) => {
        await t.run(
          "UPDATE sessions SET active_organization_id = NULL WHERE instance_id = ? AND user_id = ? AND active_organization_id = ?",
          instanceId,
          userId,
          orgId,
        );
        const n = await t.run(
          "DELETE FROM organization_memberships WHERE instance_id = ? AND organization_id = ? AND user_id = ?",
          instanceId,
          orgId,
          userId,
        );
        return n > 0;
      });
    },
    async saveInvitation(i, events) {
      await withEvents(events, (t) => upsert(t, "organization_invitations", invitationRow(i)));
    },
    async getInvitation(instanceId, id) {
      const r = await db.one("SELECT * FROM organization_invitations WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? invitationFromRow(r) : null;
    },
    async listInvitations(instanceId, orgId, status) {
      const rows = await db.all(
        `SELECT * FROM organization_invitations WHERE instance_id = ? AND organization_id = ? ${status ? "AND status = ?" : ""} ORDER BY created_at DESC, id`,
        instanceId,
        orgId,
        ...(status ? [status] : []),
      );
      return rows.map(invitationFromRow);
    },
    async listPendingInvitationsFor(instanceId, email) {
      const rows = await db.all(
        "SELECT * FROM organization_invitations WHERE instance_id = ? AND email = ? AND status = 'pending' ORDER BY created_at, id",
        instanceId,
        email.toLowerCase(),
      );
      return rows.map(invitationFromRow);
    },
  };
}
