/**
 * The storage contract. `storage` is an MVCC document + index store: every write creates a new
 * version stamped with the commit timestamp; readers read at a snapshot timestamp. It knows
 * nothing of functions, sync or auth: it stores documents (Convex JSON objects), maintains
 * indexes over them, and reports what was read as index key ranges.
 *
 * `MvccStorage` implements it over a dialect (sqlite/, postgres/, memory/); one shared suite tests them all.
 */
import type { Brand } from "@tandem/shared";

/** Database timestamp: nanoseconds since the Unix epoch, strictly increasing across commits. */
export type Timestamp = Brand<bigint, "Timestamp">;
/** A document id in Convex's string format (base32 of varint(table number) ‖ 16 bytes ‖ checksum). */
export type DocumentId = Brand<string, "DocumentId">;
/** Stable number of a table, embedded in its document ids. User tables start at 10001. */
export type TableNumber = Brand<number, "TableNumber">;
/** Stable number of an index within this store. */
export type IndexId = Brand<number, "IndexId">;
/** An order-preserving encoding of a tuple of Convex values: byte order == Convex value order. */
export type IndexKey = Brand<Uint8Array, "IndexKey">;

/** A value in Convex's JSON encoding (`{"$integer": …}`, `{"$bytes": …}`, `{"$float": …}`, …). */
export type ConvexJSON = null | boolean | number | string | ConvexJSON[] | { [key: string]: ConvexJSON };
/** A document in Convex JSON, always including `_id` and `_creationTime`. */
export type DocumentJSON = { [key: string]: ConvexJSON } & { _id: string; _creationTime: number };

export interface TableInfo {
  readonly name: string;
  readonly number: TableNumber;
}

export interface IndexInfo {
  readonly id: IndexId;
  readonly table: string;
  /** `by_id`, `by_creation_time`, or a schema index name. */
  readonly name: string;
  /**
   * Field paths in key order, the implicit suffix included: `by_id` = `["_id"]`,
   * `by_creation_time` = `["_creationTime", "_id"]`, a user index `["a", "b.c", "_creationTime", "_id"]`.
   */
  readonly fields: readonly string[];
}

/** A half-open key interval `[start, end)` of one index; `end: null` means "to the end". */
export interface KeyRange {
  readonly index: IndexId;
  readonly start: IndexKey;
  readonly end: IndexKey | null;
}

export interface IndexEntry {
  readonly key: IndexKey;
  readonly doc: StoredDocument;
}

export interface StoredDocument {
  readonly id: DocumentId;
  readonly table: string;
  /** Commit timestamp of this version. */
  readonly ts: Timestamp;
  readonly value: DocumentJSON;
}

/**
 * An index entry whose document is left as stored (its JSON text): readers that hand documents on
 * as text (function threads answering user code) skip a parse and a re-serialization per document.
 */
export interface IndexEntryText {
  readonly key: IndexKey;
  readonly id: DocumentId;
  /** The document version's `JSON.stringify` text, as committed. */
  readonly json: string;
}

/** A consistent view of the store as of `ts`. */
export interface SnapshotReader {
  readonly ts: Timestamp;
  get(id: DocumentId): Promise<StoredDocument | null>;
  /**
   * Up to `limit` entries of `range` in key order (`desc` reverses), each the latest version
   * ≤ ts of a live document. Continue a scan by narrowing the range past the last key returned.
   */
  scan(range: KeyRange, order: "asc" | "desc", limit: number): Promise<IndexEntry[]>;
  /** `scan` with each document left as its stored JSON text. */
  scanText(range: KeyRange, order: "asc" | "desc", limit: number): Promise<IndexEntryText[]>;
}

/** One document write of a transaction: `value: null` deletes. */
export interface DocumentWrite {
  readonly id: DocumentId;
  readonly table: string;
  readonly value: DocumentJSON | null;
}

/** What a commit changed in one index: the old and/or new key of one document. */
export interface IndexWrite {
  readonly index: IndexId;
  readonly oldKey: IndexKey | null;
  readonly newKey: IndexKey | null;
}

export interface CommitResult {
  readonly ts: Timestamp;
  readonly indexWrites: readonly IndexWrite[];
}

/** A write together with the document's version it replaces, as the writer read it. */
export interface WriteWithOriginal extends DocumentWrite {
  /** The latest version of the document (null: it does not exist yet). */
  readonly original: DocumentJSON | null;
  /** `value` already serialized with `JSON.stringify`, if the caller has it. */
  readonly json?: string;
}

/** A document write with its serialized value and every index key worked out ahead of the commit. */
export interface PreparedWrite {
  readonly id: DocumentId;
  readonly table: string;
  /** The new value, serialized; null deletes. */
  readonly json: string | null;
  /** For every index of the table: the key of the original and of the new value. */
  readonly indexWrites: readonly IndexWrite[];
  /** The value holds `db.vars.commitTs` placeholders: the commit resolves them (and its keys). */
  readonly commitTs?: true;
}

/** Writes made ready by `Storage.prepare` (on any connection, e.g. in another thread). */
export interface PreparedCommit {
  /** The table/index registry version the keys were computed with. */
  readonly schemaVersion: number;
  readonly writes: readonly PreparedWrite[];
}

export type CommitRequest = (
  | { readonly writes: readonly DocumentWrite[]; readonly prepared?: undefined }
  /**
   * The originals the writes were prepared against must still be the latest versions when the
   * commit applies (the caller guarantees it, e.g. by optimistic concurrency control). When the
   * registry changed since, the commit re-plans from the stored versions instead.
   */
  | { readonly prepared: PreparedCommit; readonly writes?: undefined }
) & {
  /** Key/value metadata written atomically with the documents (`null` deletes). */
  readonly meta?: ReadonlyArray<readonly [key: string, value: string | null]>;
};

/** A commit another writer made (another node on the same database), as this connection learned of it. */
export interface OtherCommit {
  readonly ts: Timestamp;
  /** Tables it wrote documents into. */
  readonly tables: readonly string[];
  /** For every index of every written document's table: its old and new key. */
  readonly indexWrites: readonly IndexWrite[];
}

export interface CommitManyHooks {
  accept?(index: number): boolean;
  applied?(index: number, result: CommitResult): void;
  /**
   * The group was not written (another writer moved the head first, or the write failed, as on a
   * full disk): the `applied` calls of these requests (the latest ones made, in that order) are
   * void. After a moved head the group is planned again, its hooks called again, once the other
   * writer's commits are reported; after a failed write `commitMany` rejects.
   */
  discarded?(indexes: readonly number[]): void;
}

/**
 * Time-limited claims shared by every writer of one database (docs/scale-out.md#leases): a node's
 * heartbeat, a leader role. Expiry is judged by the database's clock, so nodes' clocks may
 * disagree. A store no other writer shares (SQLite) keeps them in its own memory.
 */
export interface Leases {
  /**
   * Takes lease `name` for `holder` until `ttlMs` from now, or renews it when `holder` has it;
   * false (and nothing changes) while another holder's lease on it is live.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Ends `holder`'s lease on `name` at once (nothing when another holds it). */
  release(name: string, holder: string): Promise<void>;
  /** The holders of the live leases whose names start with `prefix`. */
  holders(prefix: string): Promise<Set<string>>;
}

export interface Storage {
  /** Leases shared by the nodes of this database (a writer's; a reader's calls fail). */
  readonly leases: Leases;
  /**
   * Latest committed timestamp (0 on an empty store) this connection knows, without waiting: the
   * writer's own head; a SQLite reader reads it at once; a reader over a network database (or a
   * writer another node may overtake) knows what its last `sync()` read.
   */
  latestTs(): Timestamp;
  /**
   * Reads the committed head from the database (other connections' commits, schema changes). A
   * writer sharing the database with other writers catches up to it: it reports their commits
   * to `onOtherCommits` listeners first, after its own commits under way.
   */
  sync(): Promise<Timestamp>;
  /**
   * Other writers (other nodes) may commit to this store, so `latestTs()` may lag the database
   * until `sync()`. False for SQLite: one process writes the file.
   */
  readonly otherWriters: boolean;
  /**
   * Calls `listener` with the commits other writers made, in ts order, whenever this writer
   * learns of them — at the latest when one of its own commits finds the head moved (its
   * compare-and-set fails; it then retries after the listeners ran, so a caller checking
   * conflicts against its own log checks them against these too). Returns the unsubscribe.
   */
  onOtherCommits(listener: (commits: readonly OtherCommit[]) => void): () => void;
  /**
   * Calls `wake` (soon, not in order, possibly more than once) when another connection may have
   * committed, where the database can say (Postgres: LISTEN/NOTIFY); a follower then calls
   * `sync()`. A wake-up can be missed, so followers also poll. Resolves to the unsubscribe.
   */
  watchCommits(wake: () => void): Promise<() => Promise<void>>;
  /**
   * A reader at `ts` (default the latest). `committed`: the caller knows `ts` is a committed head
   * (another connection to the same database handed it over), so a connection that would read the
   * head to check `ts` is not in the future (a query to SQLite, a round trip to Postgres) skips it.
   */
  snapshot(ts?: Timestamp, committed?: boolean): SnapshotReader;
  /**
   * Atomically applies the writes at a new timestamp `> latestTs()` (also across restarts) and
   * returns the index keys it changed. Durable when it resolves.
   */
  commit(request: CommitRequest): Promise<CommitResult>;
  /**
   * Serializes the writes and computes their index keys against this connection's registry, so a
   * writer elsewhere only has to store them (`CommitRequest.prepared`). Validates like a commit.
   */
  prepare(writes: readonly WriteWithOriginal[]): Promise<PreparedCommit>;
  /**
   * Group commit: applies several requests in one durable write, each at its own increasing
   * timestamp, as if committed one after another. `hooks.accept(i)` runs just before request
   * `i` is applied (with every earlier accepted request already applied) and may skip it;
   * `hooks.applied(i, result)` runs right after. A request that is skipped or fails its checks
   * (validation, planning) does not affect the others; a failure to write rolls the whole group
   * back and `commitMany` rejects. Results: the commit result, `"skipped"`, or the error it failed
   * with.
   */
  commitMany(
    requests: readonly CommitRequest[],
    hooks?: CommitManyHooks,
  ): Promise<Array<CommitResult | "skipped" | Error>>;

  /** Tables: a stable name ↔ number map. Creating a table creates its `by_id` and `by_creation_time`. */
  tables(): readonly TableInfo[];
  /**
   * Creates the table if missing. `preferredNumber` (a snapshot import keeping its ids) is used
   * when it is in the table's number range and has never been used; otherwise the next free one.
   */
  ensureTable(name: string, preferredNumber?: number): Promise<TableInfo>;
  tableByNumber(n: TableNumber): TableInfo | undefined;
  indexes(table?: string): readonly IndexInfo[];
  /** Creates (and backfills from the latest snapshot) an index, or returns the existing one with those fields. */
  addIndex(table: string, name: string, fields: readonly string[]): Promise<IndexInfo>;
  dropIndex(table: string, name: string): Promise<void>;
  /** Removes a table's documents and indexes (the table number is never reused). */
  dropTable?(name: string): Promise<void>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string | null): Promise<void>;

  /** A fresh id for a new document of `table`. */
  newId(table: string): DocumentId;
  /** Refreshes tables/indexes from the database (another process or thread changed them). */
  reload(): Promise<void>;
  close(): Promise<void>;
}
