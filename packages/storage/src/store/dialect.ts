/**
 * What a database must provide to back `MvccStorage` (store/store.ts). The engine owns the
 * semantics (ids, key encoding, timestamps, validation, which index entries to write); a dialect
 * owns SQL, connections and transactions. sqlite/ implements it; postgres/ will follow with the
 * same shape. All keys are already-encoded bytes, all timestamps bigint nanoseconds.
 */
import type { DocumentJSON, IndexKey } from "../types.js";

export interface TableRow {
  readonly number: number;
  readonly name: string;
}

export interface IndexSpec {
  readonly name: string;
  readonly fields: readonly string[];
}

export interface IndexRow {
  readonly id: number;
  readonly tableNumber: number;
  readonly name: string;
  readonly fields: readonly string[];
}

/** The store's committed head as this connection sees it now. */
export interface Head {
  readonly latestTs: bigint;
  /** Bumped by every table/index change, so other connections know to reload their registry. */
  readonly schemaVersion: number;
}

/**
 * Documents are stored under their `by_id` key (`encodeIndexKey([id])`), per table, so the `by_id`
 * index is served by the documents themselves and needs no separate entries.
 */
export interface VersionRow {
  readonly id: string;
  readonly ts: bigint;
  readonly tableNumber: number;
  /** Serialized DocumentJSON, or `null` for a deletion. */
  readonly json: string | null;
}

export interface ScanRow {
  readonly key: IndexKey;
  /** The document's `by_id` key (`idOfDocKey` gives its id). */
  readonly docKey: IndexKey;
  readonly ts: bigint;
  readonly json: string;
}

export interface EntryRow {
  readonly indexId: number;
  readonly key: IndexKey;
  /** The document's `by_id` key. */
  readonly docKey: IndexKey;
  readonly deleted: boolean;
}

/** A written document: its table, its `by_id` key and id. */
export interface DocRef {
  readonly tableNumber: number;
  readonly id: string;
  readonly docKey: IndexKey;
}

/** What a scan reads: the documents themselves (`by_id`) or an index's entries. */
export type ScanSource =
  | { readonly kind: "documents"; readonly tableNumber: number }
  | { readonly kind: "entries"; readonly tableNumber: number; readonly indexId: number };

/** Everything one commit writes, decided by the engine from the head and the old versions. */
export interface CommitPlan {
  readonly ts: bigint;
  readonly versions: readonly (DocRef & { readonly json: string | null })[];
  readonly entries: readonly EntryRow[];
  readonly meta: ReadonlyArray<readonly [string, string | null]>;
}

/** Called inside the write transaction with the persisted head and each written id's latest version. */
export type Planner<T> = (head: Head, latest: ReadonlyMap<string, VersionRow>) => { plan: CommitPlan; result: T };

export interface Dialect {
  readonly readonly: boolean;
  head(): Head;
  loadRegistry(): Promise<{ tables: TableRow[]; indexes: IndexRow[] }>;
  /** Latest version of a document with ts ≤ `ts` (a deletion included), or null. */
  getVersion(doc: DocRef, ts: bigint): Promise<VersionRow | null>;
  /** Live documents in `[start, end)` of a source at `ts`, in key order, at most `limit`. */
  scan(source: ScanSource, start: IndexKey, end: IndexKey | null, ts: bigint, order: "asc" | "desc", limit: number): Promise<ScanRow[]>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string | null): Promise<void>;

  /** Runs `planner` and writes its plan and the new head (`latestTs = plan.ts`) in one transaction. */
  commit<T>(docs: readonly DocRef[], planner: Planner<T>): Promise<T>;
  /**
   * Runs `body` inside one write transaction; `commitNested` calls made from it are applied in
   * order and become durable together when `body` returns. A planner that throws writes nothing and
   * the batch goes on; a failed write rolls the whole batch back (`batch` rejects).
   */
  batch<T>(body: (commitNested: <U>(docs: readonly DocRef[], planner: Planner<U>) => U) => T): Promise<T>;
  /**
   * Creates a live table named `name` with the next never-used number in `[min, max]` and the given
   * (empty) indexes, in one transaction; returns the existing live table of that name if any.
   */
  createTable(name: string, min: number, max: number, indexes: readonly IndexSpec[]): Promise<TableRow>;
  /** Marks the table dropped (its number stays taken) and deletes its documents and indexes. */
  dropTable(tableNumber: number): Promise<void>;
  /**
   * Creates an index and, in the same transaction, writes an entry for every live document of its
   * table at the head, keyed by `keyOf(document)`. `by_id` gets no entries (documents serve it).
   */
  createIndex(tableNumber: number, name: string, fields: readonly string[], keyOf: (doc: DocumentJSON) => IndexKey): Promise<IndexRow>;
  dropIndex(indexId: number): Promise<void>;
  close(): Promise<void>;
}
