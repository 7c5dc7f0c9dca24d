/**
 * The identity tables on Postgres as versioned migrations, applied in order at open under an
 * advisory lock (nodes starting at once apply each once). A migration is never edited once
 * released: a change is a new one. Same tables and columns as SQLite (`sqlite/*schema.ts`), with
 * BIGINT for epoch milliseconds. They live in their own schema (default `tandem_identity`), next
 * to the backend's tables in the same database.
 */
import type pg from "pg";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "instances, keys, users, sessions, sign-ins/ups, templates, webhooks, organizations, factors, rate limits",
    sql: `
      CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL UNIQUE,
        secret_key TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL REFERENCES instances(id),
        private_pem TEXT NOT NULL,
        public_jwk TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        retired_at BIGINT
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL REFERENCES instances(id),
        external_id TEXT,
        first_name TEXT,
        last_name TEXT,
        username TEXT,
        image_url TEXT,
        password_hash TEXT,
        password_updated_at BIGINT,
        primary_email_id TEXT,
        public_metadata TEXT NOT NULL,
        private_metadata TEXT NOT NULL,
        unsafe_metadata TEXT NOT NULL,
        banned INTEGER NOT NULL,
        locked_until BIGINT,
        failed_attempts INTEGER NOT NULL,
        last_sign_in_at BIGINT,
        last_active_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX users_username ON users(instance_id, username);
      CREATE UNIQUE INDEX users_external_id ON users(instance_id, external_id);
      CREATE INDEX users_created ON users(instance_id, created_at);
      CREATE TABLE email_addresses (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        verified INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX email_unique ON email_addresses(instance_id, email);
      CREATE INDEX email_user ON email_addresses(user_id);
      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        sign_in_id TEXT,
        sign_up_id TEXT,
        last_active_session_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        status TEXT NOT NULL,
        first_factor_at BIGINT NOT NULL,
        last_active_at BIGINT NOT NULL,
        expire_at BIGINT NOT NULL,
        abandon_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        active_organization_id TEXT
      );
      CREATE INDEX sessions_client ON sessions(client_id);
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE sign_ins (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE sign_ups (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE jwt_templates (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        name TEXT NOT NULL,
        claims TEXT NOT NULL,
        lifetime INTEGER NOT NULL,
        allowed_clock_skew INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX jwt_templates_name ON jwt_templates(instance_id, name);
      CREATE TABLE inbox (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        instance_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        code TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE webhook_endpoints (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE webhook_events (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        instance_id TEXT NOT NULL,
        endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL REFERENCES webhook_events(id),
        ordering_key TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_status_code INTEGER,
        next_attempt_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        claimed_until BIGINT
      );
      CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(status, next_attempt_at);
      CREATE INDEX webhook_deliveries_line ON webhook_deliveries(endpoint_id, ordering_key, status, seq);
      CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, seq);
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        window_start BIGINT NOT NULL,
        window_ms BIGINT NOT NULL,
        count INTEGER NOT NULL
      );
      CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        name TEXT NOT NULL,
        slug TEXT NOT NULL,
        image_url TEXT,
        created_by TEXT,
        max_allowed_memberships INTEGER NOT NULL,
        public_metadata TEXT NOT NULL,
        private_metadata TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX organizations_slug ON organizations(instance_id, slug);
      CREATE TABLE organization_memberships (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        public_metadata TEXT NOT NULL,
        private_metadata TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX organization_memberships_pair ON organization_memberships(organization_id, user_id);
      CREATE INDEX organization_memberships_user ON organization_memberships(user_id);
      CREATE TABLE organization_invitations (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        role TEXT NOT NULL,
        status TEXT NOT NULL,
        inviter_user_id TEXT,
        public_metadata TEXT NOT NULL,
        private_metadata TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX organization_invitations_email ON organization_invitations(instance_id, email, status);
      CREATE INDEX organization_invitations_org ON organization_invitations(organization_id, status);
      CREATE TABLE organization_permissions (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX organization_permissions_key ON organization_permissions(instance_id, key);
      CREATE TABLE organization_roles (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        description TEXT NOT NULL,
        permission_ids TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX organization_roles_key ON organization_roles(instance_id, key);
      CREATE TABLE user_totp (
        user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        secret TEXT NOT NULL,
        verified INTEGER NOT NULL,
        last_used_step BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE user_backup_codes (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        instance_id TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        used_at BIGINT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, code_hash)
      );
      CREATE TABLE user_phone_numbers (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        phone TEXT NOT NULL,
        verified INTEGER NOT NULL,
        reserved_for_second_factor INTEGER NOT NULL,
        default_second_factor INTEGER NOT NULL,
        code TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX phone_unique ON user_phone_numbers(instance_id, phone);
      CREATE INDEX phone_user ON user_phone_numbers(user_id);
      CREATE TABLE external_accounts (
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
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX external_accounts_subject ON external_accounts(instance_id, provider, subject);
      CREATE INDEX external_accounts_user ON external_accounts(user_id);
      CREATE TABLE passkeys (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        credential_id TEXT,
        public_key TEXT,
        counter BIGINT NOT NULL,
        transports TEXT NOT NULL,
        pending TEXT,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT
      );
      CREATE UNIQUE INDEX passkeys_credential ON passkeys(instance_id, credential_id);
      CREATE INDEX passkeys_user ON passkeys(user_id);
    `,
  },
  {
    version: 2,
    name: "external account connections (user.createExternalAccount)",
    sql: `
      CREATE TABLE external_account_connections (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        oauth TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX external_account_connections_user ON external_account_connections(user_id);
    `,
  },
];

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Creates `schema` if missing and applies the migrations it lacks; refuses one newer than this build. */
export async function migrate(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tandem-identity:' || $1::text))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS identity_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const r = await client.query<{ v: number }>("SELECT COALESCE(MAX(version), 0)::int AS v FROM identity_migrations");
    const current = r.rows[0]!.v;
    if (current > LATEST_MIGRATION)
      throw new Error(
        `The identity schema ${schema} is at version ${current}, newer than this build knows (${LATEST_MIGRATION}); upgrade Tandem`,
      );
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO identity_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}
