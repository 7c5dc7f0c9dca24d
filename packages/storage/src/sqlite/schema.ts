/**
 * SQLite schema. Documents and index entries are append-only version rows stamped with their
 * commit ts; a read at ts T takes, per document or per (index, key), the latest row ≤ T.
 * Documents are keyed by (table, by_id key), so they serve the `by_id` index themselves;
 * `documents.json IS NULL` marks a deletion. Index entries point at documents by that key. `head` holds the latest commit ts (so timestamps stay
 * monotonic across restarts) and the schema version (so other connections know to reload).
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS head (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  latest_ts INTEGER NOT NULL,
  schema_version INTEGER NOT NULL,
  format INTEGER NOT NULL
);
INSERT OR IGNORE INTO head (id, latest_ts, schema_version, format) VALUES (0, 0, 0, ${SCHEMA_VERSION});

CREATE TABLE IF NOT EXISTS tables (
  number INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  dropped INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS tables_live_name ON tables (name) WHERE dropped = 0;

CREATE TABLE IF NOT EXISTS indexes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  table_number INTEGER NOT NULL,
  name TEXT NOT NULL,
  fields TEXT NOT NULL,
  UNIQUE (table_number, name)
);

CREATE TABLE IF NOT EXISTS documents (
  table_number INTEGER NOT NULL,
  key BLOB NOT NULL,
  ts INTEGER NOT NULL,
  json TEXT,
  PRIMARY KEY (table_number, key, ts)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS index_entries (
  index_id INTEGER NOT NULL,
  key BLOB NOT NULL,
  ts INTEGER NOT NULL,
  doc_key BLOB NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (index_id, key, ts)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;
