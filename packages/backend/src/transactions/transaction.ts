/**
 * One function execution's view of the database: a storage snapshot, the writes made so far
 * (read back by later reads of the same execution), the index ranges read (for OCC and
 * subscriptions) and the limits counters. Nested `runMutation` calls use `savepoint()` so a
 * failing child is rolled back alone.
 */
import {
  compareKeys,
  keyInRange,
  pointRange,
  type DocumentId,
  type DocumentJSON,
  type WriteWithOriginal,
  type IndexEntryText,
  type IndexInfo,
  type IndexKey,
  type KeyRange,
  type SnapshotReader,
  type Timestamp,
} from "@tandem/storage";
import { backendError } from "../errors.js";
import { assert } from "@tandem/shared";
import type { Catalog } from "./catalog.js";
import { documentIndexKey } from "./index-key.js";
import { Metrics } from "./limits.js";

export interface PendingWrite {
  readonly table: string;
  /** null = deleted in this transaction. */
  readonly value: DocumentJSON | null;
  /** The stored version this transaction's first write to the document replaces (null: new). */
  readonly original: DocumentJSON | null;
  /** `value` serialized, when the writer had it. */
  readonly json?: string;
}

/**
 * A document met by a scan. Stored documents come as their committed JSON text and are parsed
 * only by readers that need the value (filters, pagination): a query's documents usually go
 * straight back to user code as text. The transaction's own writes carry their value too.
 */
export interface ScanEntry {
  readonly key: IndexKey;
  readonly json: string;
  readonly value: DocumentJSON | null;
}

/** The entry's document, parsed if it came from the store. */
export function scanValue(e: ScanEntry): DocumentJSON {
  return e.value ?? (JSON.parse(e.json) as DocumentJSON);
}

const SCAN_BATCH = 256;

export class Transaction {
  readonly reader: SnapshotReader;
  readonly catalog: Catalog;
  readonly readOnly: boolean;
  readonly metrics = new Metrics();
  readonly readSet: KeyRange[] = [];
  #writes = new Map<DocumentId, PendingWrite>();
  /** Insertion order of first writes, so commits apply in program order. */
  #order: DocumentId[] = [];
  #creationCounter = 0;
  readonly beginMs: number;
  /**
   * The function read the clock (`Date.now()`, `new Date()`): a query's cached result then holds
   * only for a while (engine/query-cache.ts).
   */
  observedTime = false;

  constructor(reader: SnapshotReader, catalog: Catalog, opts: { readOnly: boolean; beginMs?: number }) {
    this.reader = reader;
    this.catalog = catalog;
    this.readOnly = opts.readOnly;
    this.beginMs = opts.beginMs ?? Number(reader.ts / 1_000_000n);
  }

  get ts(): Timestamp {
    return this.reader.ts;
  }

  byIdIndex(table: string): IndexInfo {
    const idx = this.catalog.indexes(table).find((i) => i.name === "by_id");
    // Every table is created with its by_id index.
    assert(idx, `Table ${table} has no by_id index`);
    return idx;
  }

  recordRange(range: KeyRange): void {
    this.metrics.noteInterval();
    this.readSet.push(range);
  }

  /** Reads a document (own writes first). `table` is the table the id belongs to. */
  async get(id: DocumentId, table: string): Promise<DocumentJSON | null> {
    const idx = this.byIdIndex(table);
    this.recordRange(pointRange(idx.id, documentIndexKey({ _id: id } as unknown as DocumentJSON, idx)));
    const own = this.#writes.get(id);
    if (own) return own.value;
    const stored = await this.reader.get(id);
    if (!stored || stored.table !== table) return null;
    this.metrics.noteRead(JSON.stringify(stored.value).length);
    return stored.value;
  }

  /** Latest value without recording a read (used to capture originals for writes). */
  async #peek(id: DocumentId): Promise<DocumentJSON | null> {
    const own = this.#writes.get(id);
    if (own) return own.value;
    return (await this.reader.get(id))?.value ?? null;
  }

  nextCreationTime(): number {
    // Unique and increasing within the transaction (docs/semantics.md#timestamps-and-_creationtime).
    this.#creationCounter += 1;
    return this.beginMs + this.#creationCounter / 1000;
  }

  /**
   * Records a write. `original` is the document as this transaction read it from the snapshot
   * (null for an insert); only the first write of an id keeps it. Every caller read the document
   * through `get` first (or created its id), so the commit's conflict check covers the original.
   */
  async write(
    id: DocumentId,
    table: string,
    value: DocumentJSON | null,
    original: DocumentJSON | null,
    json?: string,
  ): Promise<void> {
    if (this.readOnly) throw backendError("BadRequest", "ReadOnly", "Writes are not allowed in queries.");
    const text = value === null ? undefined : (json ?? JSON.stringify(value));
    this.metrics.noteWrite(text?.length ?? 0);
    const prev = this.#writes.get(id);
    const first = prev ? prev.original : original;
    this.#writes.set(
      id,
      text === undefined ? { table, value, original: first } : { table, value, original: first, json: text },
    );
    if (!prev) this.#order.push(id);
  }

  async exists(id: DocumentId): Promise<boolean> {
    return (await this.#peek(id)) !== null;
  }

  hasWrites(): boolean {
    return this.#writes.size > 0;
  }

  writes(): WriteWithOriginal[] {
    return this.#order.map((id) => {
      const w = this.#writes.get(id)!;
      return w.json === undefined
        ? { id, table: w.table, value: w.value, original: w.original }
        : { id, table: w.table, value: w.value, original: w.original, json: w.json };
    });
  }

  savepoint(): () => void {
    const writes = new Map(this.#writes);
    const order = [...this.#order];
    return () => {
      this.#writes = writes;
      this.#order = order;
    };
  }

  /**
   * Iterates `range` of `index` in order, merging this transaction's own writes into the
   * snapshot. The caller records the part of the range it actually consumed.
   */
  async *scan(index: IndexInfo, range: KeyRange, order: "asc" | "desc", expected?: number): AsyncGenerator<ScanEntry> {
    const cursor = this.scanCursor(index, range, order, expected);
    for (;;) {
      const e = cursor.next();
      if (e === null) return;
      if (e === undefined) await cursor.load();
      else yield e;
    }
  }

  /** `scan` as a cursor that hands out the entries of a loaded batch without a promise each. */
  scanCursor(index: IndexInfo, range: KeyRange, order: "asc" | "desc", expected?: number): ScanCursor {
    // Own writes that land in the range, sorted; stored entries of written docs are skipped. Both
    // as of the scan's start, so a write made while iterating can't hide a document.
    const own: ScanEntry[] = [];
    const writtenAtStart = new Set(this.#writes.keys());
    for (const [, w] of this.#writes) {
      if (w.table !== index.table || w.value === null) continue;
      const key = documentIndexKey(w.value, index);
      if (keyInRange(key, range.start, range.end))
        own.push({ key, json: w.json ?? JSON.stringify(w.value), value: w.value });
    }
    own.sort((a, b) => (order === "asc" ? compareKeys(a.key, b.key) : compareKeys(b.key, a.key)));
    return new ScanCursor(this.reader, this.metrics, range, order, own, writtenAtStart, expected);
  }
}

/**
 * A merged scan (`Transaction.scanCursor`): `next()` returns the next entry, null at the end, or
 * undefined when the next batch must be read first (`load()`, then `next()` again). Queries take
 * their documents one syscall at a time; answering from the batch in hand saves a chain of
 * promises per document.
 */
export class ScanCursor {
  readonly #reader: SnapshotReader;
  readonly #metrics: Metrics;
  readonly #order: "asc" | "desc";
  readonly #own: ScanEntry[];
  readonly #written: Set<DocumentId>;
  #ownAt = 0;
  #range: KeyRange;
  /** Small first batch when the caller expects few rows (`first()`, `take(n)`), then doubling. */
  #size: number;
  #batch: IndexEntryText[] | null = null;
  #at = 0;
  /** The store has no rows left in the range (own writes may remain). */
  #storeDone = false;

  constructor(
    reader: SnapshotReader,
    metrics: Metrics,
    range: KeyRange,
    order: "asc" | "desc",
    own: ScanEntry[],
    written: Set<DocumentId>,
    expected: number | undefined,
  ) {
    this.#reader = reader;
    this.#metrics = metrics;
    this.#range = range;
    this.#order = order;
    this.#own = own;
    this.#written = written;
    this.#size = Math.max(1, Math.min(SCAN_BATCH, expected ?? 16));
  }

  next(): ScanEntry | null | undefined {
    const own = this.#own;
    for (;;) {
      const batch = this.#batch;
      if (batch === null) {
        if (!this.#storeDone) return undefined;
        return this.#ownAt < own.length ? own[this.#ownAt++]! : null;
      }
      if (this.#at < batch.length) {
        const e = batch[this.#at]!;
        if (this.#ownAt < own.length && before(own[this.#ownAt]!.key, e.key, this.#order)) return own[this.#ownAt++]!;
        this.#at += 1;
        if (this.#written.size > 0 && this.#written.has(e.id)) continue;
        // The stored text is the `JSON.stringify` of the value: its length is what was counted before.
        this.#metrics.noteRead(e.json.length);
        return { key: e.key, json: e.json, value: null };
      }
      // The batch is used up: a short one was the range's last.
      if (batch.length < this.#size) this.#storeDone = true;
      else {
        this.#range = narrowPast(this.#range, batch[batch.length - 1]!.key, this.#order);
        this.#size = Math.min(SCAN_BATCH, this.#size * 2);
      }
      this.#batch = null;
    }
  }

  #loading: Promise<void> | null = null;

  /** Reads the next batch (call when `next()` returned undefined); callers at once share one read. */
  load(): Promise<void> {
    return (this.#loading ??= this.#read());
  }

  async #read(): Promise<void> {
    try {
      if (this.#batch !== null || this.#storeDone) return;
      this.#batch = await this.#reader.scanText(this.#range, this.#order, this.#size);
      this.#at = 0;
    } finally {
      this.#loading = null;
    }
  }
}

function before(a: IndexKey, b: IndexKey, order: "asc" | "desc"): boolean {
  const c = compareKeys(a, b);
  return order === "asc" ? c < 0 : c > 0;
}

/** The rest of `range` strictly after `last` in scan order. */
export function narrowPast(range: KeyRange, last: IndexKey, order: "asc" | "desc"): KeyRange {
  if (order === "asc") return { ...range, start: successorKey(last) };
  return { ...range, end: last };
}

/** Smallest key greater than `key` (keys are prefix-free, so appending a zero byte suffices). */
export function successorKey(key: IndexKey): IndexKey {
  const out = new Uint8Array(key.length + 1);
  out.set(key, 0);
  return out as IndexKey;
}
