/** The `external_accounts` table (social / OIDC accounts) of the SQLite store: DDL as its own step, and its methods. */
import type Database from "better-sqlite3";
import type { InstanceId, UserId } from "../../ids.js";
import type { ExternalAccountRecord, ExternalAccountStore } from "../types.js";

export const externalAccountSchema = `
CREATE TABLE IF NOT EXISTS external_accounts (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  email TEXT,
  first_name TEXT,
  last_name TEXT,
  image_url TEXT,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS external_accounts_subject ON external_accounts(instance_id, provider, subject);
CREATE INDEX IF NOT EXISTS external_accounts_user ON external_accounts(user_id);
`;

type Row = Record<string, unknown>;
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

export function externalAccountMethods(
  db: Database.Database,
): ExternalAccountStore & { externalAccountsOf(userId: string): ExternalAccountRecord[] } {
  db.exec(externalAccountSchema);
  const q = {
    ofUser: db.prepare("SELECT * FROM external_accounts WHERE user_id = ? ORDER BY created_at, id"),
    find: db.prepare("SELECT * FROM external_accounts WHERE instance_id = ? AND provider = ? AND subject = ?"),
    save: db.prepare(
      `INSERT INTO external_accounts (id, instance_id, user_id, provider, subject, email, first_name, last_name, image_url, scopes, created_at, updated_at)
       VALUES (@id, @instance_id, @user_id, @provider, @subject, @email, @first_name, @last_name, @image_url, @scopes, @created_at, @updated_at)
       ON CONFLICT(instance_id, provider, subject) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
       last_name = excluded.last_name, image_url = excluded.image_url, scopes = excluded.scopes, updated_at = excluded.updated_at`,
    ),
  };
  return {
    externalAccountsOf: (userId) => (q.ofUser.all(userId) as Row[]).map(fromRow),
    async findExternalAccount(instanceId, provider, subject) {
      const r = q.find.get(instanceId, provider, subject) as Row | undefined;
      return r ? fromRow(r) : null;
    },
    async saveExternalAccount(a) {
      q.save.run({
        id: a.id,
        instance_id: a.instanceId,
        user_id: a.userId,
        provider: a.provider,
        subject: a.subject,
        email: a.email,
        first_name: a.firstName,
        last_name: a.lastName,
        image_url: a.imageUrl,
        scopes: a.scopes,
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      });
    },
  };
}
