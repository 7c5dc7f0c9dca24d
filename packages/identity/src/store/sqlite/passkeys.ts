/** The `passkeys` table (WebAuthn credentials) of the SQLite store: DDL as its own step, and its methods. */
import type Database from "better-sqlite3";
import type { InstanceId, UserId } from "../../ids.js";
import type { PasskeyRecord, PasskeyStore } from "../types.js";

export const passkeySchema = `
CREATE TABLE IF NOT EXISTS passkeys (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  credential_id TEXT,
  public_key TEXT,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL,
  pending TEXT,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS passkeys_credential ON passkeys(instance_id, credential_id);
CREATE INDEX IF NOT EXISTS passkeys_user ON passkeys(user_id);
`;

type Row = Record<string, unknown>;

const fromRow = (r: Row): PasskeyRecord => ({
  id: String(r.id),
  instanceId: r.instance_id as InstanceId,
  userId: r.user_id as UserId,
  name: String(r.name),
  credentialId: r.credential_id === null ? null : String(r.credential_id),
  publicKey: r.public_key === null ? null : String(r.public_key),
  counter: Number(r.counter),
  transports: JSON.parse(String(r.transports)) as string[],
  pending: r.pending === null ? null : (JSON.parse(String(r.pending)) as PasskeyRecord["pending"]),
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export function passkeyMethods(db: Database.Database): PasskeyStore & { passkeysOf(userId: string): PasskeyRecord[] } {
  db.exec(passkeySchema);
  const q = {
    ofUser: db.prepare(
      "SELECT * FROM passkeys WHERE user_id = ? AND credential_id IS NOT NULL ORDER BY created_at, id",
    ),
    get: db.prepare("SELECT * FROM passkeys WHERE instance_id = ? AND id = ?"),
    byCredential: db.prepare("SELECT * FROM passkeys WHERE instance_id = ? AND credential_id = ?"),
    save: db.prepare(
      `INSERT INTO passkeys (id, instance_id, user_id, name, credential_id, public_key, counter, transports, pending, created_at, last_used_at)
       VALUES (@id, @instance_id, @user_id, @name, @credential_id, @public_key, @counter, @transports, @pending, @created_at, @last_used_at)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, credential_id = excluded.credential_id, public_key = excluded.public_key,
       counter = excluded.counter, transports = excluded.transports, pending = excluded.pending, last_used_at = excluded.last_used_at`,
    ),
    delete: db.prepare("DELETE FROM passkeys WHERE instance_id = ? AND id = ?"),
    advance: db.prepare(
      "UPDATE passkeys SET counter = ?, last_used_at = ? WHERE instance_id = ? AND id = ? AND (counter < ? OR (counter = 0 AND ? = 0))",
    ),
  };
  return {
    passkeysOf: (userId) => (q.ofUser.all(userId) as Row[]).map(fromRow),
    async getPasskey(instanceId, id) {
      const r = q.get.get(instanceId, id) as Row | undefined;
      return r ? fromRow(r) : null;
    },
    async findPasskeyByCredential(instanceId, credentialId) {
      const r = q.byCredential.get(instanceId, credentialId) as Row | undefined;
      return r ? fromRow(r) : null;
    },
    async savePasskey(p) {
      q.save.run({
        id: p.id,
        instance_id: p.instanceId,
        user_id: p.userId,
        name: p.name,
        credential_id: p.credentialId,
        public_key: p.publicKey,
        counter: p.counter,
        transports: JSON.stringify(p.transports),
        pending: p.pending ? JSON.stringify(p.pending) : null,
        created_at: p.createdAt,
        last_used_at: p.lastUsedAt,
      });
    },
    async deletePasskey(instanceId, id) {
      return q.delete.run(instanceId, id).changes > 0;
    },
    async advancePasskeyCounter(instanceId, id, counter, at) {
      return q.advance.run(counter, at, instanceId, id, counter, counter).changes > 0;
    },
  };
}
