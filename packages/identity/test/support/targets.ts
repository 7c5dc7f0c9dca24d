/**
 * The storage-dependent identity tests run once per store: SQLite under a fresh data folder, and
 * Postgres in a fresh schema of the test database (test/support/postgres.ts: skipped when it is
 * unreachable, failed under CI=true). `dbTest(name, fn)` registers `[sqlite] name` and
 * `[postgres] name`; `fn` gets a `startTestServer` for its store. Servers started within one test
 * share its store (a restart, or a second node, sees the same data).
 */
import { test, type TestContext } from "node:test";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../../test/support/postgres.js";
import type { IdentityServerOptions } from "../../src/index.js";
import { startTestServer, type TestServer } from "./server.js";

export type StartServer = (opts?: Partial<IdentityServerOptions>) => Promise<TestServer>;
export type StoreName = "sqlite" | "postgres";

const postgres = await postgresAvailable();

/** A Postgres identity database for one test: its options, and the drop to call after. */
export function postgresDatabase(): {
  database: NonNullable<IdentityServerOptions["database"]>;
  drop: () => Promise<void>;
} {
  const { schema, drop } = freshSchema();
  return { database: { kind: "postgres", url: POSTGRES_URL, schema }, drop };
}

export function dbTest(
  name: string,
  fn: (t: TestContext, start: StartServer, store: StoreName) => Promise<void>,
  stores: readonly StoreName[] = ["sqlite", "postgres"],
): void {
  for (const store of stores) {
    if (store === "sqlite") test(`[sqlite] ${name}`, (t) => fn(t, (o) => startTestServer(o), store));
    else
      test(`[postgres] ${name}`, postgres, async (t) => {
        const { database, drop } = postgresDatabase();
        t.after(drop);
        await fn(t, (o) => startTestServer({ ...o, database }), store);
      });
  }
}
