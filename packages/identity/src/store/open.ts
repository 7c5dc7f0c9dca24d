/** Which identity store a server opens: Postgres when `database` names one, else SQLite under the data folder. */
import { join } from "node:path";
import type { IdentityStore } from "./types.js";
import { openSqliteStore } from "./sqlite/open.js";
import { openPostgresStore } from "./postgres/open.js";

export interface IdentityDatabase {
  readonly kind: "postgres";
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** The schema of the identity tables (default `tandem_identity`). */
  readonly schema?: string;
}

export async function openIdentityStore(
  dataDir: string,
  database: IdentityDatabase | undefined,
): Promise<IdentityStore> {
  if (!database) return openSqliteStore(join(dataDir, "identity.sqlite"));
  return openPostgresStore({ url: database.url, ...(database.schema ? { schema: database.schema } : {}) });
}
