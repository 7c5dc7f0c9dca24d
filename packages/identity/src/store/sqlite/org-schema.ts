/** DDL of the organization tables, and the session column naming the active organization. */
import type Database from "better-sqlite3";

export const orgSchema = `
CREATE TABLE IF NOT EXISTS organizations (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  image_url TEXT,
  created_by TEXT,
  max_allowed_memberships INTEGER NOT NULL,
  public_metadata TEXT NOT NULL,
  private_metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organizations_slug ON organizations(instance_id, slug);
CREATE TABLE IF NOT EXISTS organization_memberships (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  public_metadata TEXT NOT NULL,
  private_metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS organization_memberships_pair ON organization_memberships(organization_id, user_id);
CREATE INDEX IF NOT EXISTS organization_memberships_user ON organization_memberships(user_id);
CREATE TABLE IF NOT EXISTS organization_invitations (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  inviter_user_id TEXT,
  public_metadata TEXT NOT NULL,
  private_metadata TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS organization_invitations_email ON organization_invitations(instance_id, email, status);
CREATE INDEX IF NOT EXISTS organization_invitations_org ON organization_invitations(organization_id, status);
`;

/** Adds `column` to `table` when a database made before it lacks it. */
export function addColumnOnce(db: Database.Database, table: string, column: string, type: string): void {
  const cols = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
  if (!cols.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}
