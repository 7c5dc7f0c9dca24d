/**
 * `IdentityStore` on SQLite through better-sqlite3 (WAL, synchronous=NORMAL). Calls are
 * synchronous underneath; each public method is one statement or one transaction.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { ClientId, InstanceId, KeyId, SessionId, SignInId, SignUpId, TemplateId } from "../../ids.js";
import {
  UniqueViolation,
  type ClientRecord,
  type IdentityStore,
  type InboxRecord,
  type InstanceKind,
  type InstanceRecord,
  type JwtTemplateRecord,
  type SessionQuery,
  type SessionRecord,
  type SignInRecord,
  type SignUpRecord,
  type SigningKeyRecord,
  type UserQuery,
  type UserRecord,
} from "../types.js";
import { schema, SCHEMA_VERSION } from "./schema.js";
import { webhookSchema } from "./webhook-schema.js";
import { sqliteWebhooks } from "./webhooks.js";
import { migrateOrgColumns, orgSchema } from "./org-schema.js";
import { sqliteOrganizations } from "./organizations.js";
import { orgRoleSchema, sqliteOrgRoles } from "./org-roles.js";
import type { OutboxEvent } from "../webhook-types.js";
import { secondFactorMethods } from "./second-factors.js";
import { phoneMethods } from "./phone-numbers.js";
import { externalAccountMethods } from "./external-accounts.js";
import { passkeyMethods } from "./passkeys.js";
import { clientFromRow, sessionFromRow, templateFromRow, userFromRow, userToRow, type Row } from "./rows.js";

const ORDER_COLUMNS: Record<NonNullable<UserQuery["orderBy"]>["field"], string> = {
  created_at: "u.created_at",
  updated_at: "u.updated_at",
  last_sign_in_at: "u.last_sign_in_at",
  username: "u.username",
  first_name: "u.first_name",
  last_name: "u.last_name",
  email_address: "(SELECT e.email FROM email_addresses e WHERE e.id = u.primary_email_id)",
};

function uniqueField(e: unknown): UniqueViolation | null {
  const err = e as { code?: string; message?: string };
  if (err?.code !== "SQLITE_CONSTRAINT_UNIQUE") return null;
  const m = err.message ?? "";
  if (m.includes("email_addresses.email")) return new UniqueViolation("email");
  if (m.includes("users.username")) return new UniqueViolation("username");
  if (m.includes("users.external_id")) return new UniqueViolation("external_id");
  if (m.includes("jwt_templates.name")) return new UniqueViolation("template_name");
  return null;
}

export function openSqliteStore(file: string): IdentityStore {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.exec(schema);
  db.exec(webhookSchema);
  db.exec(orgSchema);
  db.exec(orgRoleSchema);
  migrateOrgColumns(db);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);

  // Prepared statements are cached by SQL text (user queries build a bounded set of shapes).
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size > 500) cache.clear();
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const one = (sql: string, ...args: unknown[]) => stmt(sql).get(...args) as Row | undefined;
  const all = (sql: string, ...args: unknown[]) => stmt(sql).all(...args) as Row[];
  const run = (sql: string, ...args: unknown[]) => stmt(sql).run(...args);

  const emailsOf = (userId: string) =>
    all("SELECT * FROM email_addresses WHERE user_id = ? ORDER BY created_at, id", userId);
  const { summary: secondFactorsOf, ...secondFactors } = secondFactorMethods(db);
  const { phonesOf, ...phones } = phoneMethods(db);
  const { externalAccountsOf, ...externalAccounts } = externalAccountMethods(db);
  const { passkeysOf, ...passkeys } = passkeyMethods(db);
  const userOf = (r: Row) => ({
    ...userFromRow(r, emailsOf(String(r.id))),
    secondFactors: secondFactorsOf(String(r.id)),
    phones: phonesOf(String(r.id)),
    externalAccounts: externalAccountsOf(String(r.id)),
    passkeys: passkeysOf(String(r.id)),
  });
  const loadUser = (r: Row | undefined) => (r ? userOf(r) : null);

  const webhooks = sqliteWebhooks(db);
  const { enqueue, notify, ...webhookMethods } = webhooks;
  /** Runs `fn` and writes `events` in one transaction, then wakes the dispatcher. */
  const withEvents = <A extends unknown[], R>(fn: (...a: A) => R) => {
    const tx = db.transaction((events: readonly OutboxEvent[], ...a: A) => {
      const out = fn(...a);
      enqueue(events);
      return out;
    });
    return (events: readonly OutboxEvent[] | undefined, ...a: A): R => {
      const out = tx(events ?? [], ...a);
      if (events?.length) notify();
      return out;
    };
  };

  const saveUserTx = withEvents((u: UserRecord) => {
    const row = userToRow(u);
    const cols = Object.keys(row);
    run(
      `INSERT INTO users (${cols.join(",")}) VALUES (${cols.map((c) => "@" + c).join(",")})
       ON CONFLICT(id) DO UPDATE SET ${cols
         .filter((c) => c !== "id")
         .map((c) => `${c} = excluded.${c}`)
         .join(", ")}`,
      row,
    );
    run("DELETE FROM email_addresses WHERE user_id = ?", u.id);
    for (const e of u.emails)
      run(
        "INSERT INTO email_addresses (id, instance_id, user_id, email, verified, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        e.id,
        u.instanceId,
        u.id,
        e.email,
        e.verified ? 1 : 0,
        e.createdAt,
      );
  });

  const saveSessionTx = withEvents((s: SessionRecord) => {
    run(
      `INSERT INTO sessions (id, instance_id, client_id, user_id, status, first_factor_at, last_active_at, expire_at, abandon_at, created_at, updated_at, active_organization_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status,
       last_active_at = excluded.last_active_at, expire_at = excluded.expire_at, abandon_at = excluded.abandon_at,
       updated_at = excluded.updated_at, active_organization_id = excluded.active_organization_id`,
      s.id,
      s.instanceId,
      s.clientId,
      s.userId,
      s.status,
      s.firstFactorAt,
      s.lastActiveAt,
      s.expireAt,
      s.abandonAt,
      s.createdAt,
      s.updatedAt,
      s.activeOrganizationId ?? null,
    );
  });
  const deleteUserTx = withEvents(
    (instanceId: InstanceId, id: string) =>
      run("DELETE FROM users WHERE instance_id = ? AND id = ?", instanceId, id).changes > 0,
  );

  function userWhere(instanceId: InstanceId, q: UserQuery): { sql: string; args: unknown[] } {
    const parts = ["u.instance_id = ?"];
    const args: unknown[] = [instanceId];
    const inList = (col: string, values: string[] | undefined) => {
      if (!values?.length) return;
      parts.push(`${col} IN (${values.map(() => "?").join(",")})`);
      args.push(...values);
    };
    inList("u.id", q.userIds);
    inList(
      "u.username",
      q.usernames?.map((s) => s.toLowerCase()),
    );
    inList("u.external_id", q.externalIds);
    if (q.emailAddresses?.length) {
      parts.push(
        `EXISTS (SELECT 1 FROM email_addresses e WHERE e.user_id = u.id AND e.email IN (${q.emailAddresses.map(() => "?").join(",")}))`,
      );
      args.push(...q.emailAddresses.map((s) => s.toLowerCase()));
    }
    if (q.query) {
      const like = "%" + q.query.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c) + "%";
      parts.push(`(lower(coalesce(u.first_name,'')) LIKE ? ESCAPE '\\' OR lower(coalesce(u.last_name,'')) LIKE ? ESCAPE '\\'
        OR lower(coalesce(u.username,'')) LIKE ? ESCAPE '\\' OR lower(u.id) LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM email_addresses e WHERE e.user_id = u.id AND e.email LIKE ? ESCAPE '\\'))`);
      args.push(like, like, like, like, like);
    }
    return { sql: parts.join(" AND "), args };
  }

  const jsonRow = <T>(r: Row | undefined) => (r ? (JSON.parse(String(r.data)) as T) : null);

  const store: IdentityStore = {
    ...webhookMethods,
    ...sqliteOrganizations(db, withEvents),
    ...sqliteOrgRoles(db),
    ...secondFactors,
    ...phones,
    ...externalAccounts,
    ...passkeys,
    async getInstance(kind: InstanceKind) {
      const r = one("SELECT * FROM instances WHERE kind = ?", kind);
      return r
        ? {
            id: r.id as InstanceId,
            kind: r.kind as InstanceKind,
            secretKey: String(r.secret_key),
            createdAt: Number(r.created_at),
          }
        : null;
    },
    async insertInstance(row: InstanceRecord) {
      run(
        "INSERT INTO instances (id, kind, secret_key, created_at) VALUES (?, ?, ?, ?)",
        row.id,
        row.kind,
        row.secretKey,
        row.createdAt,
      );
    },

    async listSigningKeys(instanceId) {
      return all("SELECT * FROM signing_keys WHERE instance_id = ? ORDER BY created_at DESC, kid", instanceId).map(
        (r): SigningKeyRecord => ({
          kid: r.kid as KeyId,
          instanceId: r.instance_id as InstanceId,
          privatePem: String(r.private_pem),
          publicJwk: JSON.parse(String(r.public_jwk)) as Record<string, unknown>,
          createdAt: Number(r.created_at),
          retiredAt: r.retired_at === null ? null : Number(r.retired_at),
        }),
      );
    },
    async insertSigningKey(k) {
      run(
        "INSERT INTO signing_keys (kid, instance_id, private_pem, public_jwk, created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)",
        k.kid,
        k.instanceId,
        k.privatePem,
        JSON.stringify(k.publicJwk),
        k.createdAt,
        k.retiredAt,
      );
    },
    async retireSigningKey(kid, at) {
      run("UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", at, kid);
    },
    async deleteSigningKeysRetiredBefore(instanceId, before) {
      return run(
        "DELETE FROM signing_keys WHERE instance_id = ? AND retired_at IS NOT NULL AND retired_at < ?",
        instanceId,
        before,
      ).changes;
    },

    async saveUser(u, events) {
      try {
        saveUserTx(events, u);
      } catch (e) {
        throw uniqueField(e) ?? e;
      }
    },
    async getUser(instanceId, id) {
      return loadUser(one("SELECT * FROM users WHERE instance_id = ? AND id = ?", instanceId, id));
    },
    async findUserByEmail(instanceId, email) {
      return loadUser(
        one(
          "SELECT u.* FROM users u JOIN email_addresses e ON e.user_id = u.id WHERE e.instance_id = ? AND e.email = ?",
          instanceId,
          email.toLowerCase(),
        ),
      );
    },
    async findUserByUsername(instanceId, username) {
      return loadUser(
        one("SELECT * FROM users WHERE instance_id = ? AND username = ?", instanceId, username.toLowerCase()),
      );
    },
    async listUsers(instanceId, q) {
      const { sql, args } = userWhere(instanceId, q);
      const order = q.orderBy ?? { field: "created_at", desc: true };
      const rows = all(
        `SELECT u.* FROM users u WHERE ${sql} ORDER BY ${ORDER_COLUMNS[order.field]} ${order.desc ? "DESC" : "ASC"}, u.id LIMIT ? OFFSET ?`,
        ...args,
        q.limit ?? 10,
        q.offset ?? 0,
      );
      return rows.map(userOf);
    },
    async countUsers(instanceId, q) {
      const { sql, args } = userWhere(instanceId, q);
      return Number(one(`SELECT count(*) AS n FROM users u WHERE ${sql}`, ...args)?.n ?? 0);
    },
    async deleteUser(instanceId, id, events) {
      return deleteUserTx(events, instanceId, id);
    },
    async recordFailedAttempt(instanceId, id, max, lockUntil) {
      const r = one(
        `UPDATE users SET failed_attempts = failed_attempts + 1,
           locked_until = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END
         WHERE instance_id = ? AND id = ? RETURNING failed_attempts`,
        max,
        lockUntil,
        instanceId,
        id,
      );
      return Number(r?.failed_attempts ?? 0);
    },
    async resetFailedAttempts(instanceId, id) {
      run("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE instance_id = ? AND id = ?", instanceId, id);
    },

    async getClient(instanceId, id: ClientId) {
      const r = one("SELECT * FROM clients WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? clientFromRow(r) : null;
    },
    async saveClient(c: ClientRecord) {
      run(
        `INSERT INTO clients (id, instance_id, token_hash, sign_in_id, sign_up_id, last_active_session_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash,
         sign_in_id = excluded.sign_in_id, sign_up_id = excluded.sign_up_id,
         last_active_session_id = excluded.last_active_session_id, updated_at = excluded.updated_at`,
        c.id,
        c.instanceId,
        c.tokenHash,
        c.signInId,
        c.signUpId,
        c.lastActiveSessionId,
        c.createdAt,
        c.updatedAt,
      );
    },

    async getSession(instanceId, id: SessionId) {
      const r = one("SELECT * FROM sessions WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? sessionFromRow(r) : null;
    },
    async saveSession(s: SessionRecord, events) {
      saveSessionTx(events, s);
    },
    async listSessions(instanceId, q: SessionQuery) {
      const parts = ["instance_id = ?"];
      const args: unknown[] = [instanceId];
      if (q.userId) (parts.push("user_id = ?"), args.push(q.userId));
      if (q.clientId) (parts.push("client_id = ?"), args.push(q.clientId));
      if (q.status) (parts.push("status = ?"), args.push(q.status));
      return all(`SELECT * FROM sessions WHERE ${parts.join(" AND ")} ORDER BY created_at DESC, id`, ...args).map(
        sessionFromRow,
      );
    },

    async getSignIn(instanceId, id: SignInId) {
      return jsonRow<SignInRecord>(one("SELECT data FROM sign_ins WHERE instance_id = ? AND id = ?", instanceId, id));
    },
    async saveSignIn(s: SignInRecord) {
      run(
        "INSERT INTO sign_ins (id, instance_id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        s.id,
        s.instanceId,
        JSON.stringify(s),
        s.updatedAt,
      );
    },
    async getSignUp(instanceId, id: SignUpId) {
      return jsonRow<SignUpRecord>(one("SELECT data FROM sign_ups WHERE instance_id = ? AND id = ?", instanceId, id));
    },
    async saveSignUp(s: SignUpRecord) {
      run(
        "INSERT INTO sign_ups (id, instance_id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        s.id,
        s.instanceId,
        JSON.stringify(s),
        s.updatedAt,
      );
    },

    async listTemplates(instanceId) {
      return all("SELECT * FROM jwt_templates WHERE instance_id = ? ORDER BY created_at, id", instanceId).map(
        templateFromRow,
      );
    },
    async getTemplate(instanceId, id: TemplateId) {
      const r = one("SELECT * FROM jwt_templates WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? templateFromRow(r) : null;
    },
    async getTemplateByName(instanceId, name) {
      const r = one("SELECT * FROM jwt_templates WHERE instance_id = ? AND name = ?", instanceId, name);
      return r ? templateFromRow(r) : null;
    },
    async saveTemplate(t: JwtTemplateRecord) {
      try {
        run(
          `INSERT INTO jwt_templates (id, instance_id, name, claims, lifetime, allowed_clock_skew, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, claims = excluded.claims,
           lifetime = excluded.lifetime, allowed_clock_skew = excluded.allowed_clock_skew, updated_at = excluded.updated_at`,
          t.id,
          t.instanceId,
          t.name,
          JSON.stringify(t.claims),
          t.lifetime,
          t.allowedClockSkew,
          t.createdAt,
          t.updatedAt,
        );
      } catch (e) {
        throw uniqueField(e) ?? e;
      }
    },
    async deleteTemplate(instanceId, id) {
      return run("DELETE FROM jwt_templates WHERE instance_id = ? AND id = ?", instanceId, id).changes > 0;
    },

    async addInboxMessage(m: Omit<InboxRecord, "id">) {
      run(
        "INSERT INTO inbox (instance_id, recipient, subject, body, code, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        m.instanceId,
        m.to,
        m.subject,
        m.text,
        m.code,
        m.createdAt,
      );
    },
    async listInbox(instanceId, limit) {
      return all("SELECT * FROM inbox WHERE instance_id = ? ORDER BY id DESC LIMIT ?", instanceId, limit).map(
        (r): InboxRecord => ({
          id: Number(r.id),
          instanceId: r.instance_id as InstanceId,
          to: String(r.recipient),
          subject: String(r.subject),
          text: String(r.body),
          code: r.code === null ? null : String(r.code),
          createdAt: Number(r.created_at),
        }),
      );
    },

    async close() {
      db.close();
    },
  };
  return store;
}
