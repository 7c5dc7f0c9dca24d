/**
 * The second-factor tables (TOTP, backup codes) of the SQLite store: their DDL, applied as its own
 * idempotent step after the base schema, and the `SecondFactorStore` methods over them.
 */
import type Database from "better-sqlite3";
import type { InstanceId, TotpId, UserId } from "../../ids.js";
import type { SecondFactorStore, SecondFactorSummary, TotpRecord } from "../types.js";

export const secondFactorSchema = `
CREATE TABLE IF NOT EXISTS user_totp (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  secret TEXT NOT NULL,
  verified INTEGER NOT NULL,
  last_used_step INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user_backup_codes (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  instance_id TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);
`;

type Row = Record<string, unknown>;

export function secondFactorMethods(
  db: Database.Database,
): SecondFactorStore & { summary(userId: string): SecondFactorSummary } {
  db.exec(secondFactorSchema);
  const q = {
    getTotp: db.prepare("SELECT * FROM user_totp WHERE instance_id = ? AND user_id = ?"),
    saveTotp: db.prepare(
      `INSERT INTO user_totp (user_id, id, instance_id, secret, verified, last_used_step, created_at, updated_at)
       VALUES (@user_id, @id, @instance_id, @secret, @verified, @last_used_step, @created_at, @updated_at)
       ON CONFLICT(user_id) DO UPDATE SET id = excluded.id, secret = excluded.secret, verified = excluded.verified,
       last_used_step = excluded.last_used_step, created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    deleteTotp: db.prepare("DELETE FROM user_totp WHERE instance_id = ? AND user_id = ?"),
    useStep: db.prepare(
      "UPDATE user_totp SET last_used_step = ? WHERE instance_id = ? AND user_id = ? AND (last_used_step IS NULL OR last_used_step < ?)",
    ),
    deleteCodes: db.prepare("DELETE FROM user_backup_codes WHERE instance_id = ? AND user_id = ?"),
    insertCode: db.prepare(
      "INSERT OR IGNORE INTO user_backup_codes (user_id, instance_id, code_hash, used_at, created_at) VALUES (?, ?, ?, NULL, ?)",
    ),
    consume: db.prepare(
      "UPDATE user_backup_codes SET used_at = ? WHERE instance_id = ? AND user_id = ? AND code_hash = ? AND used_at IS NULL",
    ),
    summary: db.prepare(
      `SELECT (SELECT verified FROM user_totp WHERE user_id = ?) AS totp,
              (SELECT count(*) FROM user_backup_codes WHERE user_id = ? AND used_at IS NULL) AS codes`,
    ),
  };
  const replaceTx = db.transaction((instanceId: string, userId: string, hashes: string[], at: number) => {
    q.deleteCodes.run(instanceId, userId);
    for (const h of hashes) q.insertCode.run(userId, instanceId, h, at);
  });
  const fromRow = (r: Row): TotpRecord => ({
    id: r.id as TotpId,
    instanceId: r.instance_id as InstanceId,
    userId: r.user_id as UserId,
    secret: String(r.secret),
    verified: r.verified === 1,
    lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });
  return {
    summary(userId) {
      const r = q.summary.get(userId, userId) as Row;
      return { totp: r.totp === 1, backupCodes: Number(r.codes) > 0 };
    },
    async getTotp(instanceId, userId) {
      const r = q.getTotp.get(instanceId, userId) as Row | undefined;
      return r ? fromRow(r) : null;
    },
    async saveTotp(t) {
      q.saveTotp.run({
        user_id: t.userId,
        id: t.id,
        instance_id: t.instanceId,
        secret: t.secret,
        verified: t.verified ? 1 : 0,
        last_used_step: t.lastUsedStep,
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      });
    },
    async deleteTotp(instanceId, userId) {
      return q.deleteTotp.run(instanceId, userId).changes > 0;
    },
    async useTotpStep(instanceId, userId, step) {
      return q.useStep.run(step, instanceId, userId, step).changes > 0;
    },
    async replaceBackupCodes(instanceId, userId, hashes, at) {
      replaceTx(instanceId, userId, hashes, at);
    },
    async consumeBackupCode(instanceId, userId, hash, at) {
      return q.consume.run(at, instanceId, userId, hash).changes > 0;
    },
    async deleteBackupCodes(instanceId, userId) {
      q.deleteCodes.run(instanceId, userId);
    },
  };
}
