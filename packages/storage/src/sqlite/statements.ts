/** The prepared statements of one connection. Integers come back as bigint (`defaultSafeIntegers`). */
import type { Database, Statement } from "better-sqlite3";

/** Live entries of one index at :ts with their document version; `e.ts` is the entry's latest ≤ :ts. */
function scanSql(order: "asc" | "desc", bounded: boolean): string {
  return `
    SELECT e.key AS key, e.doc_id AS id, d.ts AS ts, d.table_number AS tableNumber, d.json AS json
    FROM index_entries e
    JOIN documents d ON d.id = e.doc_id AND d.ts = (
      SELECT d2.ts FROM documents d2 WHERE d2.id = e.doc_id AND d2.ts <= :ts ORDER BY d2.ts DESC LIMIT 1)
    WHERE e.index_id = :index AND e.key >= :start ${bounded ? "AND e.key < :end" : ""}
      AND e.ts = (
        SELECT e2.ts FROM index_entries e2
        WHERE e2.index_id = e.index_id AND e2.key = e.key AND e2.ts <= :ts
        ORDER BY e2.ts DESC LIMIT 1)
      AND e.deleted = 0
    ORDER BY e.key ${order === "asc" ? "ASC" : "DESC"}
    LIMIT :limit`;
}

export function prepareStatements(db: Database): Record<StatementName, Statement> {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    head: s(`SELECT latest_ts AS latestTs, schema_version AS schemaVersion, format FROM head WHERE id = 0`),
    setLatestTs: s(`UPDATE head SET latest_ts = ? WHERE id = 0`),
    bumpSchema: s(`UPDATE head SET schema_version = schema_version + 1 WHERE id = 0`),

    tables: s(`SELECT number, name FROM tables WHERE dropped = 0`),
    liveTable: s(`SELECT number, name FROM tables WHERE name = ? AND dropped = 0`),
    maxTableNumber: s(`SELECT MAX(number) AS n FROM tables WHERE number BETWEEN ? AND ?`),
    insertTable: s(`INSERT INTO tables (number, name) VALUES (?, ?)`),
    dropTable: s(`UPDATE tables SET dropped = 1 WHERE number = ?`),

    indexes: s(`SELECT id, table_number AS tableNumber, name, fields FROM indexes`),
    indexesOfTable: s(`SELECT id, name FROM indexes WHERE table_number = ?`),
    insertIndex: s(`INSERT INTO indexes (table_number, name, fields) VALUES (?, ?, ?)`),
    deleteIndex: s(`DELETE FROM indexes WHERE id = ?`),
    deleteEntries: s(`DELETE FROM index_entries WHERE index_id = ?`),
    deleteDocsOfIndex: s(`DELETE FROM documents WHERE id IN (SELECT doc_id FROM index_entries WHERE index_id = ?)`),

    version: s(`SELECT id, ts, table_number AS tableNumber, json FROM documents WHERE id = ? AND ts <= ? ORDER BY ts DESC LIMIT 1`),
    latestVersion: s(`SELECT id, ts, table_number AS tableNumber, json FROM documents WHERE id = ? ORDER BY ts DESC LIMIT 1`),
    insertVersion: s(`INSERT INTO documents (id, ts, table_number, json) VALUES (?, ?, ?, ?)`),
    insertEntry: s(`INSERT INTO index_entries (index_id, key, ts, doc_id, deleted) VALUES (?, ?, ?, ?, ?)`),

    scanAsc: s(scanSql("asc", true)),
    scanAscOpen: s(scanSql("asc", false)),
    scanDesc: s(scanSql("desc", true)),
    scanDescOpen: s(scanSql("desc", false)),

    getMeta: s(`SELECT value FROM meta WHERE key = ?`),
    setMeta: s(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    deleteMeta: s(`DELETE FROM meta WHERE key = ?`),
  };
}

export type StatementName =
  | "head" | "setLatestTs" | "bumpSchema"
  | "tables" | "liveTable" | "maxTableNumber" | "insertTable" | "dropTable"
  | "indexes" | "indexesOfTable" | "insertIndex" | "deleteIndex" | "deleteEntries" | "deleteDocsOfIndex"
  | "version" | "latestVersion" | "insertVersion" | "insertEntry"
  | "scanAsc" | "scanAscOpen" | "scanDesc" | "scanDescOpen"
  | "getMeta" | "setMeta" | "deleteMeta";
export type Statements = Record<StatementName, Statement>;
