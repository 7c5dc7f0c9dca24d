/** The `user_phone_numbers` table and the `PhoneStore` methods. A number belongs to one user of an instance. */
import type { InstanceId, PhoneId, UserId } from "../../ids.js";
import type { PhoneRecord, PhoneStore } from "../types.js";
import { SqlUniqueError, type Row, type SqlDb } from "./db.js";

const fromRow = (r: Row): PhoneRecord => ({
  id: r.id as PhoneId,
  instanceId: r.instance_id as InstanceId,
  userId: r.user_id as UserId,
  phone: String(r.phone),
  verified: r.verified === 1,
  reservedForSecondFactor: r.reserved_for_second_factor === 1,
  defaultSecondFactor: r.default_second_factor === 1,
  code: r.code === null ? null : (JSON.parse(String(r.code)) as PhoneRecord["code"]),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function phoneMethods(db: SqlDb): PhoneStore & { phonesOf(userId: string): Promise<PhoneRecord[]> } {
  return {
    phonesOf: async (userId) =>
      (await db.all("SELECT * FROM user_phone_numbers WHERE user_id = ? ORDER BY created_at, id", userId)).map(fromRow),
    async getPhone(instanceId, id) {
      const r = await db.one("SELECT * FROM user_phone_numbers WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? fromRow(r) : null;
    },
    async savePhone(p) {
      try {
        await db.run(
          `INSERT INTO user_phone_numbers (id, instance_id, user_id, phone, verified, reserved_for_second_factor, default_second_factor, code, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET phone = excluded.phone, verified = excluded.verified,
           reserved_for_second_factor = excluded.reserved_for_second_factor, default_second_factor = excluded.default_second_factor,
           code = excluded.code, updated_at = excluded.updated_at`,
          p.id,
          p.instanceId,
          p.userId,
          p.phone,
          p.verified ? 1 : 0,
          p.reservedForSecondFactor ? 1 : 0,
          p.defaultSecondFactor ? 1 : 0,
          p.code ? JSON.stringify(p.code) : null,
          p.createdAt,
          p.updatedAt,
        );
        return true;
      } catch (e) {
        if (e instanceof SqlUniqueError) return false;
        throw e;
      }
    },
    async deletePhone(instanceId, id) {
      return (await db.run("DELETE FROM user_phone_numbers WHERE instance_id = ? AND id = ?", instanceId, id)) > 0;
    },
    async findUserIdByPhone(instanceId, phone) {
      const r = await db.one(
        "SELECT user_id FROM user_phone_numbers WHERE instance_id = ? AND phone = ? AND verified = 1",
        instanceId,
        phone,
      );
      return r ? (r.user_id as UserId) : null;
    },
  };
}
