/** The `passkeys` table (WebAuthn credentials) and its methods. */
import type { InstanceId, UserId } from "../../ids.js";
import type { PasskeyRecord, PasskeyStore } from "../types.js";
import type { Row, SqlDb } from "./db.js";

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

export function passkeyMethods(db: SqlDb): PasskeyStore & { passkeysOf(userId: string): Promise<PasskeyRecord[]> } {
  return {
    passkeysOf: async (userId) =>
      (
        await db.all(
          "SELECT * FROM passkeys WHERE user_id = ? AND credential_id IS NOT NULL ORDER BY created_at, id",
          userId,
        )
      ).map(fromRow),
    async getPasskey(instanceId, id) {
      const r = await db.one("SELECT * FROM passkeys WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? fromRow(r) : null;
    },
    async findPasskeyByCredential(instanceId, credentialId) {
      const r = await db.one(
        "SELECT * FROM passkeys WHERE instance_id = ? AND credential_id = ?",
        instanceId,
        credentialId,
      );
      return r ? fromRow(r) : null;
    },
    async savePasskey(p) {
      await db.run(
        `INSERT INTO passkeys (id, instance_id, user_id, name, credential_id, public_key, counter, transports, pending, created_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, credential_id = excluded.credential_id, public_key = excluded.public_key,
         counter = excluded.counter, transports = excluded.transports, pending = excluded.pending, last_used_at = excluded.last_used_at`,
        p.id,
        p.instanceId,
        p.userId,
        p.name,
        p.credentialId,
        p.publicKey,
        p.counter,
        JSON.stringify(p.transports),
        p.pending ? JSON.stringify(p.pending) : null,
        p.createdAt,
        p.lastUsedAt,
      );
    },
    async deletePasskey(instanceId, id) {
      return (await db.run("DELETE FROM passkeys WHERE instance_id = ? AND id = ?", instanceId, id)) > 0;
    },
    async advancePasskeyCounter(instanceId, id, counter, at) {
      const n = await db.run(
        "UPDATE passkeys SET counter = ?, last_used_at = ? WHERE instance_id = ? AND id = ? AND (counter < ? OR (counter = 0 AND ? = 0))",
        counter,
        at,
        instanceId,
        id,
        counter,
        counter,
      );
      return n > 0;
    },
  };
}
