/**
 * `SqlDb` over better-sqlite3. Statements run synchronously underneath; a transaction holds a
 * lock so that calls made by other requests while its callback awaits run after it, not inside it.
 */
import Database from "better-sqlite3";
import { SqlUniqueError, type Row, type SqlDb, type SqlExec } from "../sql/db.js";

export function sqliteDb(db: Database.Database): SqlDb {
  // Prepared statements are cached by SQL text (user queries build a bounded set of shapes).
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size > 500) cache.clear();
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const guard = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err?.code === "SQLITE_CONSTRAINT_UNIQUE" || err?.code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw new SqlUniqueError((err.message ?? "").replace(/^UNIQUE constraint failed: /, ""));
      throw e;
    }
  };
  const direct: SqlExec = {
    async one(sql, ...args) {
      return guard(() => stmt(sql).get(...args) as Row | undefined);
    },
    async all(sql, ...args) {
      return guard(() => stmt(sql).all(...args) as Row[]);
    },
    async run(sql, ...args) {
      return guard(() => stmt(sql).run(...args).changes);
    },
  };
  // Waiting is a loop written inline before each synchronous statement: between the wait and the
  // statement there must be no `await`, or a transaction could begin in between.
  let lock: Promise<void> | null = null;
  return {
    engine: "sqlite",
    claimRows: "",
    shared: false,
    async one(sql, ...args) {
      while (lock) await lock;
      return direct.one(sql, ...args);
    },
    async all(sql, ...args) {
      while (lock) await lock;
      return direct.all(sql, ...args);
    },
    async run(sql, ...args) {
      while (lock) await lock;
      return direct.run(sql, ...args);
    },
    async tx(fn) {
      while (lock) await lock;
      let release!: () => void;
      lock = new Promise((r) => (release = r));
      try {
        db.exec("BEGIN IMMEDIATE");
        try {
          const out = await fn(direct);
          db.exec("COMMIT");
          return out;
        } catch (e) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw e;
        }
      } finally {
        lock = null;
        release();
      }
    },
    async close() {
      while (lock) await lock;
      db.close();
    },
  };
}
