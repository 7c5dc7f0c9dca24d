/**
 * Rows of one INSERT statement collected across a group commit and written with multi-row
 * statements (one statement per `MAX_ROWS` rows instead of one per row: per-statement overhead
 * was most of a small commit's SQLite time).
 */
import type { Database, Statement } from "better-sqlite3";

const MAX_ROWS = 32;

export class RowBuffer {
  readonly #db: Database;
  readonly #head: string;
  readonly #width: number;
  readonly #statements = new Map<number, Statement>();
  #params: unknown[] = [];

  /** `head` is `INSERT INTO t (a, b, …)`; `width` the number of columns. */
  constructor(db: Database, head: string, width: number) {
    this.#db = db;
    this.#head = head;
    this.#width = width;
  }

  add(...values: unknown[]): void {
    for (const v of values) this.#params.push(v);
  }

  get pending(): boolean {
    return this.#params.length > 0;
  }

  /** Writes every buffered row (inside the caller's transaction). */
  flush(): void {
    const params = this.#params;
    this.#params = [];
    const rows = params.length / this.#width;
    for (let at = 0; at < rows; at += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, rows - at);
      this.#statement(n).run(params.slice(at * this.#width, (at + n) * this.#width));
    }
  }

  /** Forgets buffered rows (the transaction they belonged to was rolled back). */
  clear(): void {
    this.#params = [];
  }

  #statement(rows: number): Statement {
    let st = this.#statements.get(rows);
    if (!st) {
      const row = `(${Array.from({ length: this.#width }, () => "?").join(", ")})`;
      st = this.#db.prepare(`${this.#head} VALUES ${Array.from({ length: rows }, () => row).join(", ")}`);
      this.#statements.set(rows, st);
    }
    return st;
  }
}
