/**
 * What a database must provide to back `MvccStorage` (store/store.ts). The engine owns the
 * semantics (ids, key encoding, timestamps, validation, which index entries to write); a dialect
 * owns SQL, connections and transactions. sqlite/, postgres/ and memory/ implement it. Everything a
 * network database must wait for is a promise; only the planner (pure computation over rows the
 * dialect has read) stays synchronous. All keys are already-encoded bytes, all timestamps bigint
 * nanoseconds.
 */
import type { DocumentJSON, IndexKey, Leases } from "../types.js";
import { storageError } from "../errors.js";

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

/**
 * A scan row without its version's ts, for readers that only hand the text on. `docKey`: null when
 * `key` is the doc key (documents), a bigint n when it is `key`'s last n bytes, else the doc key.
 */
export interface TextScanRow {
  readonly key: IndexKey;
  readonly docKey: IndexKey | bigint | null;
  readonly json: string;
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

/**
 * Called inside the write transaction with the head as locked there and each written id's latest
 * version. Pure: a network dialect has done its reads before and does its writes after.
 */
export type Planner<T> = (head: Head, latest: ReadonlyMap<string, VersionRow>) => { plan: CommitPlan; result: T };

/** A document version some commit wrote, with the version it replaced (`Dialect.versionsSince`). */
export interface ChangedVersion {
  readonly tableNumber: number;
  readonly docKey: IndexKey;
  readonly ts: bigint;
  readonly json: string | null;
  /** The document's previous version (null: it did not exist, or was deleted). */
  readonly prevJson: string | null;
}

/** One commit of a group (`Dialect.batch`). */
export interface BatchStep<T> {
  /** Documents whose latest versions the planner needs (none for prepared writes). */
  readonly docs: readonly DocRef[];
  readonly planner: Planner<T>;
  /** Called just before the step, with every earlier step applied; false skips it. */
  readonly accept?: (() => boolean) | undefined;
  /** Called right after the step is applied (before the next one is accepted). */
  readonly applied?: ((result: T) => void) | undefined;
}

/** What became of one step: its planner's result, the error its planner threw, or skipped. */
export type StepOutcome<T> = { readonly result: T } | { readonly error: unknown } | "skipped";

/** The head moved between the read that planned a commit and its write (compare-and-set failed). */
export function headMoved(expected: bigint, actual: bigint | null) {
  return storageError(
    "Conflict",
    "HeadMoved",
    `The store's head moved from ${expected} to ${actual ?? "unknown"} during the commit; try again`,
  );
}

/** The reads a catch-up makes, on the connection that holds the head lock (`Dialect.batchLocked`). */
export type LockedReader = Pick<Dialect, "versionsSince" | "loadRegistry">;

export interface Dialect {
  readonly readonly: boolean;
  /** Other writers (processes, nodes) may commit to this store: see `Storage.otherWriters`. */
  readonly otherWriters: boolean;
  /** The committed head, read from the database. */
  head(): Promise<Head>;
  /**
   * The same without waiting, where the driver can (SQLite). Read-only connections of a dialect
   * without it learn of other connections' commits only through `head()` (`Storage.sync`).
   */
  readonly headNow?: () => Head;
  loadRegistry(): Promise<{ tables: TableRow[]; indexes: IndexRow[] }>;
  /** Latest version of a document with ts ≤ `ts` (a deletion included), or null. */
  getVersion(doc: DocRef, ts: bigint): Promise<VersionRow | null>;
  /** Live documents in `[start, end)` of a source at `ts`, in key order, at most `limit`. */
  scan(
    source: ScanSource,
    start: IndexKey,
    end: IndexKey | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<ScanRow[]>;
  /** `scan` as `TextScanRow`s, where the dialect can read less for them (SQLite). */
  scanText?(
    source: ScanSource,
    start: IndexKey,
    end: IndexKey | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<TextScanRow[]>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string | null): Promise<void>;

  /** Every version written at a ts in `(after, upTo]`, in ts order (catching up with other writers). */
  versionsSince(after: bigint, upTo: bigint): Promise<ChangedVersion[]>;

  /**
   * One atomic commit: locks the head, reads the documents' latest versions, plans, writes the
   * plan and moves the head to `plan.ts`. Compare-and-set: when `expected` is given and the locked
   * head is another (a commit this connection has not seen), it fails with `HeadMoved` before
   * planning and writes nothing. A planner that throws writes nothing and rejects.
   * `expectedSchema`: as in `batch`.
   */
  commit<T>(docs: readonly DocRef[], planner: Planner<T>, expected?: bigint, expectedSchema?: number): Promise<T>;
  /**
   * Applies the steps in order in one write transaction that becomes durable when all are done,
   * moving the head once (compare-and-set on `expected`, as `commit`, checked before the first
   * step). A planner that throws writes nothing and the batch goes on; a failed write rolls the
   * whole batch back (`batch` rejects).
   *
   * With `expectedSchema` (the registry version the caller planned with) too, a dialect may plan
   * steps that read no documents against `{ latestTs: expected, schemaVersion: expectedSchema }`
   * without reading the head first, and check both when it writes: then a `HeadMoved` failure can
   * come after the steps' `accept`/`applied` hooks ran (nothing was written all the same).
   */
  batch<T>(steps: readonly BatchStep<T>[], expected?: bigint, expectedSchema?: number): Promise<StepOutcome<T>[]>;
  /**
   * `batch` that no other writer can overtake: in one write transaction it locks the head, awaits
   * `caughtUp(head, reader)` (the caller learns of the commits other writers made up to that head; none
   * can commit until the transaction ends; `reader` reads on the transaction's own connection, so
   * the catch-up needs no other connection while the lock is held), then applies the steps against that head. It never
   * fails with `HeadMoved`. For a store other writers share (a commit that keeps losing its
   * compare-and-set falls back to it); absent where the store needs no such fallback.
   */
  batchLocked?<T>(
    steps: readonly BatchStep<T>[],
    caughtUp: (head: Head, reader: LockedReader) => Promise<void>,
  ): Promise<StepOutcome<T>[]>;
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
  createIndex(
    tableNumber: number,
    name: string,
    fields: readonly string[],
    keyOf: (doc: DocumentJSON) => IndexKey,
  ): Promise<IndexRow>;
  dropIndex(indexId: number): Promise<void>;
  /** Leases kept in the database, where other writers share it (absent: kept in process memory). */
  readonly leases?: Leases;
  /**
   * Calls `wake` when another connection may have committed (see `Storage.watchCommits`), with the
   * head that commit moved to where the database says.
   */
  watch?(wake: (ts?: bigint) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
