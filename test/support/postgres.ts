/**
 * The Postgres the tests run against (TANDEM_TEST_POSTGRES_URL, default the machine's own on
 * 127.0.0.1:5432). Each store gets a fresh schema with a random name, dropped afterwards, so runs
 * made at the same time never meet. Without a reachable server the Postgres tests are skipped,
 * except with CI=true, where they fail: CI must not pass by skipping them.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_URL = process.env.TANDEM_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let reachable: Promise<string | null> | null = null;

/** Null when the server answers, else why not. */
function probe(): Promise<string | null> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** `{ skip }` for `test(…)`: a reason to skip, or false. Throws under CI=true when unreachable. */
export async function postgresAvailable(): Promise<{ skip: string | false }> {
  const why = await probe();
  if (why === null) return { skip: false };
  if (process.env.CI === "true" || process.env.CI === "1")
    throw new Error(`Postgres at ${new URL(POSTGRES_URL).host} is unreachable (${why}); CI requires it`);
  return { skip: `Postgres at ${new URL(POSTGRES_URL).host} is unreachable: ${why}` };
}

/** A fresh schema name, and a function dropping that schema with everything in it. */
export function freshSchema(): { schema: string; drop: () => Promise<void> } {
  const schema = `tandem_test_${randomBytes(8).toString("hex")}`;
  return {
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
