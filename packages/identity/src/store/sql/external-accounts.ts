/** The `external_accounts` table (social / OIDC accounts) and its methods. */
import type { ClientId, InstanceId, UserId } from "../../ids.js";
import type { ExternalAccountConnection, ExternalAccountRecord, ExternalAccountStore, PendingOAuth } from "../types.js";
import type { Row, SqlDb } from "./db.js";

const optStr = (v: unknown) => (v === null || v === undefined ? null : String(v));

const fromRow = (r: Row): ExternalAccountRecord => ({
  id: String(r.id),
  instanceId: r.instance_id as InstanceId,
  userId: r.user_id as UserId,
  provider: String(r.provider),
  subject: String(r.subject),
  email: optStr(r.email),
  firstName: optStr(r.first_name),
  lastName: optStr(r.last_name),
  imageUrl: optStr(r.image_url),
  scopes: String(r.scopes),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const connectionFromRow = (r: Row): ExternalAccountConnection => ({
  id: String(r.id),
  instanceId: r.instance_id as InstanceId,
  userId: r.user_id as UserId,
  clientId: r.client_id as ClientId,
  oauth: JSON.parse(String(r.oauth)) as PendingOAuth,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function externalAccountMethods(db: SqlDb): ExternalAccountStore & {
  externalAccountsOf(userId: string): Promise<ExternalAccountRecord[]>;
  connectionsOf(userId: string): Promise<ExternalAccountConnection[]>;
} {
  return {
    externalAccountsOf: async (userId) =>
      (await db.all("SELECT * FROM external_accounts WHERE user_id = ? ORDER BY created_at, id", userId)).map(fromRow),
    connectionsOf: async (userId) =>
      (
        await db.all("SELECT * FROM external_account_connections WHERE user_id = ? ORDER BY created_at, id", userId)
      ).map(connectionFromRow),
    async deleteExternalAccount(instanceId, id) {
      await db.run("DELETE FROM external_accounts WHERE instance_id = ? AND id = ?", instanceId, id);
    },
    async getExternalAccountConnection(instanceId, id) {
      const r = await db.one(
        "SELECT * FROM external_account_connections WHERE instance_id = ? AND id = ?",
        instanceId,
        id,
      );
      return r ? connectionFromRow(r) : null;
    },
    async saveExternalAccountConnection(c) {
      await db.run(
        `INSERT INTO external_account_connections (id, instance_id, user_id, client_id, provider, oauth, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET oauth = excluded.oauth, updated_at = excluded.updated_at`,
        c.id,
        c.instanceId,
        c.userId,
        c.clientId,
        c.oauth.provider,
        JSON.stringify(c.oauth),
        c.createdAt,
        c.updatedAt,
      );
    },
    async deleteExternalAccountConnection(instanceId, id) {
      await db.run("DELETE FROM external_account_connections WHERE instance_id = ? AND id = ?", instanceId, id);
    },
    async findExternalAccount(instanceId, provider, subject) {
      const r = await db.one(
        "SELECT * FROM external_accounts WHERE instance_id = ? AND provider = ? AND subject = ?",
        instanceId,
        provider,
        subject,
      );
      return r ? fromRow(r) : null;
    },
    async saveExternalAccount(a) {
      await db.run(
        `INSERT INTO external_accounts (id, instance_id, user_id, provider, subject, email, first_name, last_name, image_url, scopes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(instance_id, provider, subject) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
         last_name = excluded.last_name, image_url = excluded.image_url, scopes = excluded.scopes, updated_at = excluded.updated_at`,
        a.id,
        a.instanceId,
        a.userId,
        a.provider,
        a.subject,
        a.email,
        a.firstName,
        a.lastName,
        a.imageUrl,
        a.scopes,
        a.createdAt,
        a.updatedAt,
      );
    },
  };
}
