/**
 * `IdentityStore` over a `SqlDb`: the same statements on SQLite and Postgres (the drivers and the
 * schemas live in `sqlite/` and `postgres/`). Each public method is one statement or one transaction.
 */
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
import { sqlWebhooks } from "./webhooks.js";
import { sqlOrganizations, type WithEvents } from "./organizations.js";
import { sqlOrgRoles } from "./org-roles.js";
import { sqlRateLimits } from "./rate-limits.js";
import { SqlUniqueError, type Row, type SqlDb, type SqlExec } from "./db.js";
import { secondFactorMethods } from "./second-factors.js";
import { phoneMethods } from "./phone-numbers.js";
import { externalAccountMethods } from "./external-accounts.js";
import { passkeyMethods } from "./passkeys.js";
import { clientFromRow, sessionFromRow, templateFromRow, userFromRow, userToRow } from "./rows.js";

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
  if (!(e instanceof SqlUniqueError)) return null;
  const m = e.target;
  if (m.includes("email_addresses.email")) return new UniqueViolation("email");
  if (m.includes("users.username")) return new UniqueViolation("username");
  if (m.includes("users.external_id")) return new UniqueViolation("external_id");
  if (m.includes("jwt_templates.name")) return new UniqueViolation("template_name");
  return null;
}

export function createSqlStore(db: SqlDb): IdentityStore {
  const { one, all, run } = {
    one: db.one.bind(db),
    all: db.all.bind(db),
    run: db.run.bind(db),
  };

  const emailsOf = (userId: string) =>
    all("SELECT * FROM email_addresses WHERE user_id = ? ORDER BY created_at, id", userId);
  const { summary: secondFactorsOf, ...secondFactors } = secondFactorMethods(db);
  const { phonesOf, ...phones } = phoneMethods(db);
  const { externalAccountsOf, connectionsOf, ...externalAccounts } = externalAccountMethods(db);
  const { passkeysOf, ...passkeys } = passkeyMethods(db);
  const userOf = async (r: Row) => {
    const id = String(r.id);
    const [emails, sf, ph, ext, pk, conn] = await Promise.all([
      emailsOf(id),
      secondFactorsOf(id),
      phonesOf(id),
      externalAccountsOf(id),
      passkeysOf(id),
      connectionsOf(id),
    ]);
    return {
      ...userFromRow(r, emails),
      secondFactors: sf,
      phones: ph,
      externalAccounts: ext,
      passkeys: pk,
      externalAccountConnections: conn,
    };
  };
  const loadUser = async (r: Row | undefined) => (r ? userOf(r) : null);

  const { enqueue, notify, ...webhookMethods } = sqlWebhooks(db);
  /** Runs `fn` and writes `events` in one transaction, then wakes the dispatcher. */
  const withEvents: WithEvents = async (events, fn) => {
    const out = await db.tx(async (t) => {
      const r = await fn(t);
      if (events?.length) await enqueue(t, events);
      return r;
    });
    if (events?.length) notify();
    return out;
  };

  const saveUserIn = async (t: SqlExec, u: UserRecord) => {
    const row = userToRow(u);
    const cols = Object.keys(row);
    await t.run(
      `INSERT INTO users (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})
       ON CONFLICT(id) DO UPDATE SET ${cols
         .filter((c) => c !== "id")
         .map((c) => `${c} = excluded.${c}`)
         .join(", ")}`,
      ...Object.values(row),
    );
    await t.run("DELETE FROM email_addresses WHERE user_id = ?", u.id);
    for (const e of u.emails)
      await t.run(
        "INSERT INTO email_addresses (id, instance_id, user_id, email, verified, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        e.id,
        u.instanceId,
        u.id,
        e.email,
        e.verified ? 1 : 0,
        e.createdAt,
      );
  };

  const saveSessionIn = async (t: SqlExec, s: SessionRecord) => {
    await t.run(
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
  };

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
  const noEvents = (events: readonly unknown[] | undefined) => !events?.length;

  const store: IdentityStore = {
    ...webhookMethods,
    ...sqlOrganizations(db, withEvents),
    ...sqlOrgRoles(db),
    ...sqlRateLimits(db),
    ...secondFactors,
    ...phones,
    ...externalAccounts,
    ...passkeys,
    async getInstance(kind: InstanceKind) {
      const r = await one("SELECT * FROM instances WHERE kind = ?", kind);
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
      await run(
        "INSERT INTO instances (id, kind, secret_key, created_at) VALUES (?, ?, ?, ?)",
        row.id,
        row.kind,
        row.secretKey,
        row.createdAt,
      );
    },

    async listSigningKeys(instanceId) {
      return (
        await all("SELECT * FROM signing_keys WHERE instance_id = ? ORDER BY created_at DESC, kid", instanceId)
      ).map((r): SigningKeyRecord => ({
        kid: r.kid as KeyId,
        instanceId: r.instance_id as InstanceId,
        privatePem: String(r.private_pem),
        publicJwk: JSON.parse(String(r.public_jwk)) as Record<string, unknown>,
        createdAt: Number(r.created_at),
        retiredAt: r.retired_at === null ? null : Number(r.retired_at),
      }));
    },
    async insertSigningKey(k) {
      await run(
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
      await run("UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", at, kid);
    },
    async deleteSigningKeysRetiredBefore(instanceId, before) {
      return run(
        "DELETE FROM signing_keys WHERE instance_id = ? AND retired_at IS NOT NULL AND retired_at < ?",
        instanceId,
        before,
      );
    },

    async saveUser(u, events) {
      try {
        await withEvents(events, (t) => saveUserIn(t, u));
      } catch (e) {
        throw uniqueField(e) ?? e;
      }
    },
    async getUser(instanceId, id) {
      return loadUser(await one("SELECT * FROM users WHERE instance_id = ? AND id = ?", instanceId, id));
    },
    async findUserByEmail(instanceId, email) {
      return loadUser(
        await one(
          "SELECT u.* FROM users u JOIN email_addresses e ON e.user_id = u.id WHERE e.instance_id = ? AND e.email = ?",
          instanceId,
          email.toLowerCase(),
        ),
      );
    },
    async findUserByUsername(instanceId, username) {
      return loadUser(
        await one("SELECT * FROM users WHERE instance_id = ? AND username = ?", instanceId, username.toLowerCase()),
      );
    },
    async listUsers(instanceId, q) {
      const { sql, args } = userWhere(instanceId, q);
      const order = q.orderBy ?? { field: "created_at", desc: true };
      const rows = await all(
        `SELECT u.* FROM users u WHERE ${sql} ORDER BY ${ORDER_COLUMNS[order.field]} ${order.desc ? "DESC" : "ASC"}, u.id LIMIT ? OFFSET ?`,
        ...args,
        q.limit ?? 10,
        q.offset ?? 0,
      );
      return Promise.all(rows.map(userOf));
    },
    async countUsers(instanceId, q) {
      const { sql, args } = userWhere(instanceId, q);
      return Number((await one(`SELECT count(*) AS n FROM users u WHERE ${sql}`, ...args))?.n ?? 0);
    },
    async deleteUser(instanceId, id, events) {
      return withEvents(
        events,
        async (t) => (await t.run("DELETE FROM users WHERE instance_id = ? AND id = ?", instanceId, id)) > 0,
      );
    },
    async recordFailedAttempt(instanceId, id, max, lockUntil) {
      const r = await one(
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
      await run(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE instance_id = ? AND id = ?",
        instanceId,
        id,
      );
    },

    async getClient(instanceId, id: ClientId) {
      const r = await one("SELECT * FROM clients WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? clientFromRow(r) : null;
    },
    async saveClient(c: ClientRecord) {
      await run(
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
      const r = await one("SELECT * FROM sessions WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? sessionFromRow(r) : null;
    },
    async saveSession(s: SessionRecord, events) {
      if (noEvents(events)) await saveSessionIn(db, s);
      else await withEvents(events, (t) => saveSessionIn(t, s));
    },
    async listSessions(instanceId, q: SessionQuery) {
      const parts = ["instance_id = ?"];
      const args: unknown[] = [instanceId];
      if (q.userId) (parts.push("user_id = ?"), args.push(q.userId));
      if (q.clientId) (parts.push("client_id = ?"), args.push(q.clientId));
      if (q.status) (parts.push("status = ?"), args.push(q.status));
      return (
        await all(`SELECT * FROM sessions WHERE ${parts.join(" AND ")} ORDER BY created_at DESC, id`, ...args)
      ).map(sessionFromRow);
    },

    async getSignIn(instanceId, id: SignInId) {
      return jsonRow<SignInRecord>(
        await one("SELECT data FROM sign_ins WHERE instance_id = ? AND id = ?", instanceId, id),
      );
    },
    async saveSignIn(s: SignInRecord) {
      await run(
        "INSERT INTO sign_ins (id, instance_id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        s.id,
        s.instanceId,
        JSON.stringify(s),
        s.updatedAt,
      );
    },
    async getSignUp(instanceId, id: SignUpId) {
      return jsonRow<SignUpRecord>(
        await one("SELECT data FROM sign_ups WHERE instance_id = ? AND id = ?", instanceId, id),
      );
    },
    async saveSignUp(s: SignUpRecord) {
      await run(
        "INSERT INTO sign_ups (id, instance_id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        s.id,
        s.instanceId,
        JSON.stringify(s),
        s.updatedAt,
      );
    },

    async listTemplates(instanceId) {
      return (await all("SELECT * FROM jwt_templates WHERE instance_id = ? ORDER BY created_at, id", instanceId)).map(
        templateFromRow,
      );
    },
    async getTemplate(instanceId, id: TemplateId) {
      const r = await one("SELECT * FROM jwt_templates WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? templateFromRow(r) : null;
    },
    async getTemplateByName(instanceId, name) {
      const r = await one("SELECT * FROM jwt_templates WHERE instance_id = ? AND name = ?", instanceId, name);
      return r ? templateFromRow(r) : null;
    },
    async saveTemplate(t: JwtTemplateRecord) {
      try {
        await run(
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
      return (await run("DELETE FROM jwt_templates WHERE instance_id = ? AND id = ?", instanceId, id)) > 0;
    },

    async addInboxMessage(m: Omit<InboxRecord, "id">) {
      await run(
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
      return (await all("SELECT * FROM inbox WHERE instance_id = ? ORDER BY id DESC LIMIT ?", instanceId, limit)).map(
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
      await db.close();
    },
  };
  return store;
}
