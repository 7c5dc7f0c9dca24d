/**
 * The SQL of the Postgres dialect. Keys are BYTEA (compared bytewise, as the key encoding needs); table
 * numbers BIGINT (they reach 2^32 - 1), read back as strings;
 * timestamps BIGINT, sent and received as decimal strings (nanoseconds exceed 2^53). A read at ts
 * T takes, per key, the latest row ≤ T (`DISTINCT ON (key) … ORDER BY key, ts DESC`), which walks
 * the primary key in order and so stops at the LIMIT.
 */
export const HEAD = `SELECT latest_ts, schema_version FROM head WHERE id = 0`;
/** Taken by every write transaction first: commits and schema changes go one at a time. */
export const LOCK_HEAD = `${HEAD} FOR UPDATE`;
/** Compare-and-set: moves the head only from the ts the commit was planned against. */
export const MOVE_HEAD = `UPDATE head SET latest_ts = $2 WHERE id = 0 AND latest_ts = $1`;
/** The same, telling followers (`commit-channel.ts`) in the same statement: $3 is the channel. */
export const MOVE_HEAD_NOTIFY = `WITH moved AS (${MOVE_HEAD} RETURNING latest_ts) SELECT pg_notify($3, latest_ts::text) FROM moved`;
export const NOTIFY = `SELECT pg_notify($1, '')`;
/**
 * A whole commit group in one statement (one round trip, committed on its own): the head moves
 * from $1 to $2 only while its schema version is still $3 (an `UPDATE` waits for a writer holding
 * the row, then checks again), and every write joins the moved row, so a compare-and-set that
 * fails writes nothing and returns no row. $4–$7 document versions, $8–$12 index entries,
 * $13–$14 meta set, $15 meta deleted (as `INSERT_VERSIONS`, `INSERT_ENTRIES`, `SET_META`,
 * `DELETE_META`); with `notify`, $16 is the channel told of the new head.
 */
export function commitInOneStatementSql(notify: boolean): string {
  return `
  WITH moved AS (
    UPDATE head SET latest_ts = $2 WHERE id = 0 AND latest_ts = $1 AND schema_version = $3 RETURNING latest_ts
  ), versions AS (
    INSERT INTO documents (table_number, key, ts, json)
    SELECT v.t, v.k, v.ts, v.j FROM unnest($4::bigint[], $5::bytea[], $6::bigint[], $7::text[]) AS v(t, k, ts, j), moved
  ), entries AS (
    INSERT INTO index_entries (index_id, key, ts, doc_key, deleted)
    SELECT e.i, e.k, e.ts, e.d, e.x
    FROM unnest($8::int[], $9::bytea[], $10::bigint[], $11::bytea[], $12::boolean[]) AS e(i, k, ts, d, x), moved
  ), set_meta AS (
    INSERT INTO meta (key, value) SELECT m.k, m.v FROM unnest($13::text[], $14::text[]) AS m(k, v), moved
    ON CONFLICT (key) DO UPDATE SET value = excluded.value
  ), deleted_meta AS (
    DELETE FROM meta WHERE key = ANY($15::text[]) AND EXISTS (SELECT FROM moved)
  )
  SELECT ${notify ? "pg_notify($16, latest_ts::text)" : "latest_ts"} FROM moved`;
}
export const BUMP_SCHEMA = `UPDATE head SET schema_version = schema_version + 1 WHERE id = 0`;

export const TABLES = `SELECT number, name FROM tables WHERE NOT dropped`;
export const LIVE_TABLE = `SELECT number, name FROM tables WHERE name = $1 AND NOT dropped`;
export const MAX_TABLE_NUMBER = `SELECT MAX(number) AS n FROM tables WHERE number BETWEEN $1 AND $2`;
export const INSERT_TABLE = `INSERT INTO tables (number, name) VALUES ($1, $2)`;
export const DROP_TABLE = `UPDATE tables SET dropped = TRUE WHERE number = $1`;
export const DELETE_DOCS_OF_TABLE = `DELETE FROM documents WHERE table_number = $1`;

export const INDEXES = `SELECT id, table_number, name, fields FROM indexes`;
export const INDEX_BY_NAME = `SELECT id, fields FROM indexes WHERE table_number = $1 AND name = $2`;
export const INDEXES_OF_TABLE = `SELECT id FROM indexes WHERE table_number = $1`;
export const INSERT_INDEX = `INSERT INTO indexes (table_number, name, fields) VALUES ($1, $2, $3) RETURNING id`;
export const DELETE_INDEX = `DELETE FROM indexes WHERE id = $1`;
export const DELETE_ENTRIES = `DELETE FROM index_entries WHERE index_id = $1`;

export const VERSION = `SELECT ts, json FROM documents WHERE table_number = $1 AND key = $2 AND ts <= $3 ORDER BY ts DESC LIMIT 1`;
/** The latest version of each (table, key) pair given, by its position in the arrays. */
export const LATEST_VERSIONS = `
  SELECT q.i, d.ts, d.json
  FROM unnest($1::bigint[], $2::bytea[]) WITH ORDINALITY AS q(t, k, i)
  CROSS JOIN LATERAL (
    SELECT ts, json FROM documents WHERE table_number = q.t AND key = q.k ORDER BY ts DESC LIMIT 1
  ) d`;
/** Versions written in (after, upTo] with the version each replaced (served by documents_by_ts). */
export const VERSIONS_SINCE = `
  SELECT d.table_number, d.key, d.ts, d.json, p.json AS prev_json
  FROM documents d
  LEFT JOIN LATERAL (
    SELECT json FROM documents p WHERE p.table_number = d.table_number AND p.key = d.key AND p.ts < d.ts
    ORDER BY p.ts DESC LIMIT 1
  ) p ON TRUE
  WHERE d.ts > $1 AND d.ts <= $2
  ORDER BY d.ts`;
export const INSERT_VERSIONS = `
  INSERT INTO documents (table_number, key, ts, json)
  SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::text[])`;
export const INSERT_ENTRIES = `
  INSERT INTO index_entries (index_id, key, ts, doc_key, deleted)
  SELECT * FROM unnest($1::int[], $2::bytea[], $3::bigint[], $4::bytea[], $5::boolean[])`;

export const GET_META = `SELECT value FROM meta WHERE key = $1`;
export const SET_META = `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
export const DELETE_META = `DELETE FROM meta WHERE key = $1`;

const dir = (order: "asc" | "desc") => (order === "asc" ? "ASC" : "DESC");

/** Live documents of $1 in [$2, $3) at ts $4, at most $5 ($3 absent when unbounded). */
export function scanDocumentsSql(order: "asc" | "desc", bounded: boolean): string {
  const end = bounded ? "AND key < $3" : "";
  const [ts, limit] = bounded ? ["$4", "$5"] : ["$3", "$4"];
  return `
    SELECT key, ts, json FROM (
      SELECT DISTINCT ON (key) key, ts, json FROM documents
      WHERE table_number = $1 AND key >= $2 ${end} AND ts <= ${ts}
      ORDER BY key ${dir(order)}, ts DESC
    ) v
    WHERE json IS NOT NULL
    ORDER BY key ${dir(order)}
    LIMIT ${limit}`;
}

/** Live entries of index $1 (of table $2) in [$3, $4) at ts $5 with their documents, at most $6. */
export function scanEntriesSql(order: "asc" | "desc", bounded: boolean): string {
  const end = bounded ? "AND key < $4" : "";
  const [ts, limit] = bounded ? ["$5", "$6"] : ["$4", "$5"];
  return `
    SELECT e.key, e.doc_key, d.ts, d.json FROM (
      SELECT DISTINCT ON (key) key, doc_key, deleted FROM index_entries
      WHERE index_id = $1 AND key >= $3 ${end} AND ts <= ${ts}
      ORDER BY key ${dir(order)}, ts DESC
    ) e
    CROSS JOIN LATERAL (
      SELECT ts, json FROM documents
      WHERE table_number = $2 AND key = e.doc_key AND ts <= ${ts}
      ORDER BY ts DESC LIMIT 1
    ) d
    WHERE NOT e.deleted AND d.json IS NOT NULL
    ORDER BY e.key ${dir(order)}
    LIMIT ${limit}`;
}
