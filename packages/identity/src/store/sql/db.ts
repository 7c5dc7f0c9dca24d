/**
 * The little SQL surface the identity store is written against, so one store (`sql/store.ts`)
 * runs on SQLite and on Postgres. Statements use `?` placeholders and the SQL both engines share
 * (`INSERT … ON CONFLICT … DO UPDATE`, `RETURNING`, `LIKE … ESCAPE`); the drivers in `sqlite/` and
 * `postgres/` translate what differs (placeholders, unique-violation errors, integer types).
 */
export type Row = Record<string, unknown>;

export interface SqlExec {
  one(sql: string, ...args: unknown[]): Promise<Row | undefined>;
  all(sql: string, ...args: unknown[]): Promise<Row[]>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, ...args: unknown[]): Promise<number>;
}

export interface SqlDb extends SqlExec {
  readonly engine: "sqlite" | "postgres";
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Only
   * `t` may be used inside (other calls wait for the transaction, or run on another connection).
   */
  tx<R>(fn: (t: SqlExec) => Promise<R>): Promise<R>;
  /**
   * Appended to a `SELECT … FROM webhook_deliveries d …` that claims rows: Postgres locks them and
   * skips rows another node is claiming; SQLite has one writer at a time and needs nothing.
   */
  readonly claimRows: string;
  /** Several nodes may share this database (a node must look for others' work, not only its own). */
  readonly shared: boolean;
  close(): Promise<void>;
}

/**
 * A unique constraint broke. `target` names the columns as `table.column, table.column` (SQLite's
 * wording, which the Postgres driver rebuilds from the error's table and detail).
 */
export class SqlUniqueError extends Error {
  override name = "SqlUniqueError";
  constructor(readonly target: string) {
    super(`unique constraint failed: ${target}`);
  }
}
