/**
 * The identity store on Postgres, shared by every identity node pointed at the same database:
 * a pool whose connections use the identity schema, the migrations, then the shared SQL store.
 */
import pg from "pg";
import type { IdentityStore } from "../types.js";
import { createSqlStore } from "../sql/store.js";
import { numericTypes, postgresDb } from "./db.js";
import { migrate } from "./migrations.js";

export interface PostgresIdentityOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** The schema holding the identity tables (default `tandem_identity`; created if missing). */
  readonly schema?: string;
  /** Pool size (default 8). */
  readonly maxConnections?: number;
}

export const DEFAULT_IDENTITY_SCHEMA = "tandem_identity";
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgresStore(options: PostgresIdentityOptions): Promise<IdentityStore> {
  const schema = options.schema ?? DEFAULT_IDENTITY_SCHEMA;
  if (!SCHEMA_NAME.test(schema))
    throw new TypeError(`Postgres schema name ${JSON.stringify(schema)} must be lower-case letters, digits and _`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 8,
    options: `-c search_path=${schema}`,
    types: numericTypes,
  });
  // An idle client's error (the server restarted, say) must not crash the process: the pool
  // drops that client and the next query opens a new one.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      await migrate(client, schema);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  return createSqlStore(postgresDb(pool));
}
