/** The second-factor tables (`user_totp`, `user_backup_codes`) and the `SecondFactorStore` methods over them. */
import type { InstanceId, TotpId, UserId } from "../../ids.js";
import type { SecondFactorStore, SecondFactorSummary, TotpRecord } from "../types.js";
import type { Row, SqlDb } from "./db.js";

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

export function secondFactorMethods(
  db: SqlDb,
): SecondFactorStore & { summary(userId: string): Promise<SecondFactorSummary> } {
  const deleteCodes = "DELETE FROM user_backup_codes WHERE instance_id = ? AND user_id = ?";
  return {
    async summary(userId) {
      const r = (await db.one(
        `SELECT (SELECT verified FROM user_totp WHERE user_id = ?) AS totp,
                (SELECT count(*) FROM user_backup_codes WHERE user_id = ? AND used_at IS NULL) AS codes`,
        userId,
        userId,
      ))!;
      return { totp: r.totp === 1, backupCodes: Number(r.codes) > 0 };
    },
    async getTotp(instanceId, userId) {
      const r = await db.one("SELECT * FROM user_totp WHERE instance_id = ? AND user_id = ?", instanceId, userId);
      return r ? fromRow(r) : null;
    },
    async saveTotp(t) {
      await db.run(
        `INSERT INTO user_totp (user_id, id, instance_id, secret, verified, last_used_step, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(user_id) DO UPDATE SET id = excluded.id, secret = excluded.secret, verified = excluded.verified,
         last_used_step = excluded.last_used_step, created_at = excluded.created_at, updated_at = excluded.updated_at`,
        t.userId,
        t.id,
        t.instanceId,
        t.secret,
        t.verified ? 1 : 0,
        t.lastUsedStep,
        t.createdAt,
        t.updatedAt,
      );
    },
    async deleteTotp(instanceId, userId) {
      return (await db.run("DELETE FROM user_totp WHERE instance_id = ? AND user_id = ?", instanceId, userId)) > 0;
    },
    async useTotpStep(instanceId, userId, step) {
      const n = await db.run(
        "UPDATE user_totp SET last_used_step = ? WHERE instance_id = ? AND user_id = ? AND (last_used_step IS NULL OR last_used_step < ?)",
        step,
        instanceId,
        userId,
        step,
      );
      return n > 0;
    },
    async replaceBackupCodes(instanceId, userId, hashes, at) {
      await db.tx(async (t) => {
        await t.run(deleteCodes, instanceId, userId);
        for (const h of hashes)
          await t.run(
            `INSERT INTO user_backup_codes (user_id, instance_id, code_hash, used_at, created_at) VALUES (?, ?, ?, NULL, ?)
             ON CONFLICT DO NOTHING`,
            userId,
            instanceId,
            h,
            at,
          );
      });
    },
    async consumeBackupCode(instanceId, userId, hash, at) {
      const n = await db.run(
        "UPDATE user_backup_codes SET used_at = ? WHERE instance_id = ? AND user_id = ? AND code_hash = ? AND used_at IS NULL",
        at,
        instanceId,
        userId,
        hash,
      );
      return n > 0;
    },
    async deleteBackupCodes(instanceId, userId) {
      await db.run(deleteCodes, instanceId, userId);
    },
  };
}
