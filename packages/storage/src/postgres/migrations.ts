/**
 * The Postgres schema as versioned migrations, applied in order by the writer at open (under an
 * advisory lock, so writers opening at once apply each one once). A migration is never edited
 * once released: a change is a new one. Same layout as SQLite (sqlite/schema.ts): append-only
 * version rows per document and per index entry, `head` for the latest commit and schema version.
 */
import type { PoolClient } from "pg";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "documents, index entries, registry, head, meta",
    sql: `
      CREATE TABLE head (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        latest_ts BIGINT NOT NULL,
        schema_version BIGINT NOT NULL
      );
      INSERT INTO head (id, latest_ts, schema_version) VALUES (0, 0, 0);
      CREATE TABLE tables (
        number BIGINT PRIMARY KEY,
        name TEXT NOT NULL,
        dropped BOOLEAN NOT NULL DEFAULT FALSE
      );
      CREATE UNIQUE INDEX tables_live_name ON tables (name) WHERE NOT dropped;
      CREATE TABLE indexes (
        id INTEGER PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        table_number BIGINT NOT NULL,
        name TEXT NOT NULL,
        fields TEXT NOT NULL,
        UNIQUE (table_number, name)
      );
      CREATE TABLE documents (
        table_number BIGINT NOT NULL,
        key BYTEA NOT NULL,
        ts BIGINT NOT NULL,
        json TEXT,
        PRIMARY KEY (table_number, key, ts)
      );
      CREATE TABLE index_entries (
        index_id INTEGER NOT NULL,
        key BYTEA NOT NULL,
        ts BIGINT NOT NULL,
        doc_key BYTEA NOT NULL,
        deleted BOOLEAN NOT NULL,
        PRIMARY KEY (index_id, key, ts)
      );
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "documents by commit ts, for catching up with other writers",
    sql: `CREATE INDEX documents_by_ts ON documents (ts)`,
  },
  {
    version: 3,
    name: "leases: node heartbeats and leader roles",
    sql: `
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
];

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const CREATE_LOG = `CREATE TABLE IF NOT EXISTS tandem_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/**
 * Creates `schema` if given and missing, and applies the migrations the database lacks; refuses
 * a database newer than this build. `schema` must be a checked identifier.
 */
export async function migrate(client: PoolClient, schema: string | undefined): Promise<void> {
  await client.query("BEGIN");
  try {
    // One migrator per schema at a time (writers opening at once); the lock ends with the transaction.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tandem:' || COALESCE($1, current_schema())))", [
      schema ?? null,
    ]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(CREATE_LOG);
    const current = await appliedVersion(client);
    checkNotNewer(current);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO tandem_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}

/** A reader opens only a database a writer has brought to this build's version. */
export async function checkMigrated(client: PoolClient): Promise<void> {
  const exists = await client.query("SELECT to_regclass('tandem_migrations') IS NOT NULL AS ok");
  const current = (exists.rows[0] as { ok: boolean }).ok ? await appliedVersion(client) : 0;
  checkNotNewer(current);
  if (current < LATEST_MIGRATION)
    throw new Error(
      `The Postgres database is at schema version ${current}, this build needs ${LATEST_MIGRATION}: open it for writing first`,
    );
}

async function appliedVersion(client: PoolClient): Promise<number> {
  const r = await client.query("SELECT COALESCE(MAX(version), 0) AS v FROM tandem_migrations");
  return Number((r.rows[0] as { v: number | string }).v);
}

function checkNotNewer(current: number): void {
  if (current > LATEST_MIGRATION)
    throw new Error(
      `The Postgres database is at schema version ${current}, newer than this build knows (${LATEST_MIGRATION}); upgrade Tandem`,
    );
}
