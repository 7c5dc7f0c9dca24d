/** DDL for the SQLite identity store. Idempotent; `user_version` marks the schema revision. */
export const SCHEMA_VERSION = 1;

export const schema = `
CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL UNIQUE,
  secret_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL REFERENCES instances(id),
  private_pem TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL REFERENCES instances(id),
  external_id TEXT,
  first_name TEXT,
  last_name TEXT,
  username TEXT,
  image_url TEXT,
  password_hash TEXT,
  password_updated_at INTEGER,
  primary_email_id TEXT,
  public_metadata TEXT NOT NULL,
  private_metadata TEXT NOT NULL,
  unsafe_metadata TEXT NOT NULL,
  banned INTEGER NOT NULL,
  locked_until INTEGER,
  failed_attempts INTEGER NOT NULL,
  last_sign_in_at INTEGER,
  last_active_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users(instance_id, username);
CREATE UNIQUE INDEX IF NOT EXISTS users_external_id ON users(instance_id, external_id);
CREATE INDEX IF NOT EXISTS users_created ON users(instance_id, created_at);
CREATE TABLE IF NOT EXISTS email_addresses (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  verified INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS email_unique ON email_addresses(instance_id, email);
CREATE INDEX IF NOT EXISTS email_user ON email_addresses(user_id);
CREATE TABLE IF NOT EXISTS clients (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  sign_in_id TEXT,
  sign_up_id TEXT,
  last_active_session_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  first_factor_at INTEGER NOT NULL,
  last_active_at INTEGER NOT NULL,
  expire_at INTEGER NOT NULL,
  abandon_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_client ON sessions(client_id);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS sign_ins (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sign_ups (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS jwt_templates (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  claims TEXT NOT NULL,
  lifetime INTEGER NOT NULL,
  allowed_clock_skew INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jwt_templates_name ON jwt_templates(instance_id, name);
CREATE TABLE IF NOT EXISTS inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  code TEXT,
  created_at INTEGER NOT NULL
);
`;
