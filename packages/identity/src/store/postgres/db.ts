/**
 * `SqlDb` over a `pg` pool: `?` placeholders become `$1…`, BIGINT columns (epoch milliseconds,
 * counts) come back as numbers, and unique violations as `SqlUniqueError` named like SQLite's.
 */
import pg from "pg";
import { SqlUniqueError, type Row, type SqlDb, type SqlExec } from "../sql/db.js";

const INT8_OID = 20;

/** Pool settings shared by the store and its migrator: int8 → number (ms times stay below 2^53). */
export const numericTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== "binary"
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

const sqlCache = new Map<string, string>();
/** `?` → `$n`, outside quoted literals. */
export function numbered(sql: string): string {
  let out = sqlCache.get(sql);
  if (out !== undefined) return out;
  let n = 0;
  let quoted = false;
  out = "";
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === "?" && !quoted ? `$${++n}` : ch;
  }
  if (sqlCache.size > 1000) sqlCache.clear();
  sqlCache.set(sql, out);
  return out;
}

function translate(e: unknown): unknown {
  const err = e as { code?: string; table?: string; detail?: string; constraint?: string };
  if (err?.code !== "23505") return e;
  const cols = /^Key \(([^)]*)\)/.exec(err.detail ?? "")?.[1];
  const table = err.table ?? "";
  return new SqlUniqueError(
    cols
      ? cols
          .split(",")
          .map((c) => `${table}.${c.trim()}`)
          .join(", ")
      : `${table}.${err.constraint ?? ""}`,
  );
}

function execOn(q: pg.Pool | pg.PoolClient): SqlExec {
  const query = async (sql: string, args: unknown[]) => {
    try {
      return await q.query(numbered(sql), args);
    } catch (e) {
      throw translate(e);
    }
  };
  return {
    async one(sql, ...args) {
      return (await query(sql, args)).rows[0] as Row | undefined;
    },
    async all(sql, ...args) {
      return (await query(sql, args)).rows as Row[];
    },
    async run(sql, ...args) {
      return (await query(sql, args)).rowCount ?? 0;
    },
  };
}

export function postgresDb(pool: pg.Pool): SqlDb {
  const direct = execOn(pool);
  return {
    ...direct,
    engine: "postgres",
    claimRows: " FOR UPDATE OF d SKIP LOCKED",
    shared: true,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        try {
          const out = await fn(execOn(client));
          await client.query("COMMIT");
          return out;
        } catch (e) {
          await client.query("ROLLBACK").catch(() => {});
          throw e;
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
