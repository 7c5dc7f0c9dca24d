/** DDL of the factor tables (TOTP, backup codes, phone numbers, external accounts, passkeys) and custom org roles, each idempotent. */

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

/** Added after the first release: its `CREATE … IF NOT EXISTS` is the migration on SQLite. */
export const externalAccountConnectionSchema = `
CREATE TABLE IF NOT EXISTS external_account_connections (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  oauth TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS external_account_connections_user ON external_account_connections(user_id);
`;

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

export const orgRoleSchema = `
CREATE TABLE IF NOT EXISTS organization_permissions (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organization_permissions_key ON organization_permissions(instance_id, key);
CREATE TABLE IF NOT EXISTS organization_roles (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  description TEXT NOT NULL,
  permission_ids TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organization_roles_key ON organization_roles(instance_id, key);
`;
