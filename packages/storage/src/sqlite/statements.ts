/** The prepared statements of one connection. Integers come back as bigint (`defaultSafeIntegers`). */
import type { Database, Statement } from "better-sqlite3";

/** The latest version ≤ :ts of the document `doc` (an SQL expression for its key) in :table. */
const latestDocTs = (doc: string) =>
  `(SELECT d2.ts FROM documents d2 WHERE d2.table_number = :table AND d2.key = ${doc} AND d2.ts <= :ts ORDER BY d2.ts DESC LIMIT 1)`;

/** `:limit`, or a number written into the SQL (scan-statements.ts says why). */
type Limit = ":limit" | number;

/**
 * Live entries of one index at :ts with their document version; `e.ts` is the entry's latest ≤ :ts.
 * An index key ends with the document's `_id`, i.e. with its `doc_key`: then `docKey` is that
 * suffix's length (the dialect takes it as a view of `key`), else the `doc_key` itself. Every
 * column read as a blob costs a Buffer (about as much as the rest of the row).
 */
export function scanEntriesSql(order: "asc" | "desc", bounded: boolean, limit: Limit = ":limit", text = false): string {
  // `text`: no version ts, and the document's text by one lookup (a join on the latest version's
  // ts would look it up twice). An entry is written with its document's version, so one exists.
  const docColumns = text
    ? `(SELECT d.json FROM documents d WHERE d.table_number = :table AND d.key = e.doc_key AND d.ts <= :ts ORDER BY d.ts DESC LIMIT 1) AS json`
    : `d.ts AS ts, d.json AS json`;
  const join = text
    ? ""
    : `JOIN documents d ON d.table_number = :table AND d.key = e.doc_key AND d.ts = ${latestDocTs("e.doc_key")}`;
  return `
    SELECT e.key AS key,
      CASE WHEN substr(e.key, length(e.key) - length(e.doc_key) + 1) = e.doc_key THEN length(e.doc_key) ELSE e.doc_key END AS docKey,
      ${docColumns}
    FROM index_entries e
    ${join}
    WHERE e.index_id = :index AND e.key >= :start ${bounded ? "AND e.key < :end" : ""}
      AND e.ts = (
        SELECT e2.ts FROM index_entries e2
        WHERE e2.index_id = e.index_id AND e2.key = e.key AND e2.ts <= :ts
        ORDER BY e2.ts DESC LIMIT 1)
      AND e.deleted = 0
    ORDER BY e.key ${order === "asc" ? "ASC" : "DESC"}
    LIMIT ${limit}`;
}

/** Live documents of :table at :ts in by_id key order (`docKey` is `key`: the dialect sets it); `text`: no ts. */
export function scanDocumentsSql(
  order: "asc" | "desc",
  bounded: boolean,
  limit: Limit = ":limit",
  text = false,
): string {
  return `
    SELECT d.key AS key, NULL AS docKey, ${text ? "" : "d.ts AS ts, "}d.json AS json
    FROM documents d
    WHERE d.table_number = :table AND d.key >= :start ${bounded ? "AND d.key < :end" : ""}
      AND d.ts = ${latestDocTs("d.key")}
      AND d.json IS NOT NULL
    ORDER BY d.key ${order === "asc" ? "ASC" : "DESC"}
    LIMIT ${limit}`;
}

const sql = {
  head: `SELECT latest_ts AS latestTs, schema_version AS schemaVersion, format FROM head WHERE id = 0`,
  setLatestTs: `UPDATE head SET latest_ts = ? WHERE id = 0`,
  bumpSchema: `UPDATE head SET schema_version = schema_version + 1 WHERE id = 0`,

  tables: `SELECT number, name FROM tables WHERE dropped = 0`,
  liveTable: `SELECT number, name FROM tables WHERE name = ? AND dropped = 0`,
  maxTableNumber: `SELECT MAX(number) AS n FROM tables WHERE number BETWEEN ? AND ?`,
  insertTable: `INSERT INTO tables (number, name) VALUES (?, ?)`,
  dropTable: `UPDATE tables SET dropped = 1 WHERE number = ?`,
  deleteDocsOfTable: `DELETE FROM documents WHERE table_number = ?`,

  indexes: `SELECT id, table_number AS tableNumber, name, fields FROM indexes`,
  indexesOfTable: `SELECT id, name FROM indexes WHERE table_number = ?`,
  insertIndex: `INSERT INTO indexes (table_number, name, fields) VALUES (?, ?, ?)`,
  deleteIndex: `DELETE FROM indexes WHERE id = ?`,
  deleteEntries: `DELETE FROM index_entries WHERE index_id = ?`,

  version: `SELECT ts, json FROM documents WHERE table_number = ? AND key = ? AND ts <= ? ORDER BY ts DESC LIMIT 1`,
  latestVersion: `SELECT ts, json FROM documents WHERE table_number = ? AND key = ? ORDER BY ts DESC LIMIT 1`,
  versionsSince: `
    SELECT d.table_number AS tableNumber, d.key AS key, d.ts AS ts, d.json AS json,
      (SELECT p.json FROM documents p WHERE p.table_number = d.table_number AND p.key = d.key AND p.ts < d.ts
       ORDER BY p.ts DESC LIMIT 1) AS prevJson
    FROM documents d WHERE d.ts > ? AND d.ts <= ? ORDER BY d.ts`,
  insertEntry: `INSERT INTO index_entries (index_id, key, ts, doc_key, deleted) VALUES (?, ?, ?, ?, ?)`,

  scanEntriesAsc: scanEntriesSql("asc", true),
  scanEntriesAscOpen: scanEntriesSql("asc", false),
  scanEntriesDesc: scanEntriesSql("desc", true),
  scanEntriesDescOpen: scanEntriesSql("desc", false),
  scanDocumentsAsc: scanDocumentsSql("asc", true),
  scanDocumentsAscOpen: scanDocumentsSql("asc", false),
  scanDocumentsDesc: scanDocumentsSql("desc", true),
  scanDocumentsDescOpen: scanDocumentsSql("desc", false),

  getMeta: `SELECT value FROM meta WHERE key = ?`,
  setMeta: `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  deleteMeta: `DELETE FROM meta WHERE key = ?`,
} as const;

export type StatementName = keyof typeof sql;
export type Statements = Record<StatementName, Statement>;

export function prepareStatements(db: Database): Statements {
  const out = {} as Record<StatementName, Statement>;
  for (const name of Object.keys(sql) as StatementName[]) out[name] = db.prepare(sql[name]);
  return out;
}
