/**
 * Opens a Postgres-backed `Storage` at `url`, in `schema` when given (created by a writer if
 * missing). A writer applies the schema migrations first; a read-only connection (e.g. in a
 * function thread) requires them applied and runs every transaction read-only.
 */
import pg from "pg";
import type { Storage } from "../types.js";
import { MvccStorage } from "../store/store.js";
import { PostgresDialect } from "./dialect.js";
import { checkMigrated, migrate } from "./migrations.js";
import { commitChannel } from "./commit-channel.js";

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** The schema holding Tandem's tables (default: the connection's `search_path`, usually `public`). */
  readonly schema?: string;
  readonly readonly?: boolean;
  /** Connections of the pool (default 4 for a writer, whose commits hold one each; 2 for a reader). */
  readonly maxConnections?: number;
  /** See `MvccStorageOptions.fastCommitTries`. */
  readonly fastCommitTries?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new TypeError(`Postgres schema name ${JSON.stringify(schema)} must be lower-case letters, digits and _`);
  const readonly = options.readonly ?? false;
  const settings = [
    ...(schema !== undefined ? [`-c search_path=${schema}`] : []),
    ...(readonly ? ["-c default_transaction_read_only=on"] : []),
  ];
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? (readonly ? 2 : 4),
    ...(settings.length > 0 ? { options: settings.join(" ") } : {}),
  });
  // An idle client's error (the server restarted, say) must not crash the process: the pool
  // drops that client and the next query opens a new one.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    let current: string;
    try {
      if (readonly) await checkMigrated(client);
      else await migrate(client, schema);
      current = (await client.query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s;
    } finally {
      client.release();
    }
    const announcements = {
      channel: commitChannel(current),
      connect: () =>
        new pg.Client({
          connectionString: options.url,
          ...(settings.length > 0 ? { options: settings.join(" ") } : {}),
        }),
    };
    const { fastCommitTries } = options;
    return await MvccStorage.open(
      new PostgresDialect(pool, readonly, announcements),
      fastCommitTries !== undefined ? { fastCommitTries } : {},
    );
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
}
