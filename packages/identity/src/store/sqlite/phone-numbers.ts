/**
 * The phone-number table of the SQLite store: its DDL (its own idempotent step after the base
 * schema) and the `PhoneStore` methods. A number belongs to one user of an instance.
 */
import type Database from "better-sqlite3";
import type { InstanceId, PhoneId, UserId } from "../../ids.js";
import type { PhoneRecord, PhoneStore } from "../types.js";

export const phoneSchema = `
CREATE TABLE IF NOT EXISTS user_phone_numbers (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  phone TEXT NOT NULL,
  verified INTEGER NOT NULL,
  reserved_for_second_factor INTEGER NOT NULL,
  default_second_factor INTEGER NOT NULL,
  code TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS phone_unique ON user_phone_numbers(instance_id, phone);
CREATE INDEX IF NOT EXISTS phone_user ON user_phone_numbers(user_id);
`;

type Row = Record<string, unknown>;

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

export function phoneMethods(db: Database.Database): PhoneStore & { phonesOf(userId: string): PhoneRecord[] } {
  db.exec(phoneSchema);
  const q = {
    ofUser: db.prepare("SELECT * FROM user_phone_numbers WHERE user_id = ? ORDER BY created_at, id"),
    get: db.prepare("SELECT * FROM user_phone_numbers WHERE instance_id = ? AND id = ?"),
    save: db.prepare(
      `INSERT INTO user_phone_numbers (id, instance_id, user_id, phone, verified, reserved_for_second_factor, default_second_factor, code, created_at, updated_at)
       VALUES (@id, @instance_id, @user_id, @phone, @verified, @reserved, @default, @code, @created_at, @updated_at)
       ON CONFLICT(id) DO UPDATE SET phone = excluded.phone, verified = excluded.verified,
       reserved_for_second_factor = excluded.reserved_for_second_factor, default_second_factor = excluded.default_second_factor,
       code = excluded.code, updated_at = excluded.updated_at`,
    ),
    delete: db.prepare("DELETE FROM user_phone_numbers WHERE instance_id = ? AND id = ?"),
    byPhone: db.prepare("SELECT user_id FROM user_phone_numbers WHERE instance_id = ? AND phone = ? AND verified = 1"),
  };
  return {
    phonesOf: (userId) => (q.ofUser.all(userId) as Row[]).map(fromRow),
    async getPhone(instanceId, id) {
      const r = q.get.get(instanceId, id) as Row | undefined;
      return r ? fromRow(r) : null;
    },
    async savePhone(p) {
      try {
        q.save.run({
          id: p.id,
          instance_id: p.instanceId,
          user_id: p.userId,
          phone: p.phone,
          verified: p.verified ? 1 : 0,
          reserved: p.reservedForSecondFactor ? 1 : 0,
          default: p.defaultSecondFactor ? 1 : 0,
          code: p.code ? JSON.stringify(p.code) : null,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        });
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") return false;
        throw e;
      }
    },
    async deletePhone(instanceId, id) {
      return q.delete.run(instanceId, id).changes > 0;
    },
    async findUserIdByPhone(instanceId, phone) {
      const r = q.byPhone.get(instanceId, phone) as Row | undefined;
      return r ? (r.user_id as UserId) : null;
    },
  };
}
