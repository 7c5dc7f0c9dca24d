/** A read view at one timestamp; every read filters versions to `ts ≤ this.ts`. */
import type {
  DocumentId,
  DocumentJSON,
  IndexEntry,
  IndexEntryText,
  IndexKey,
  KeyRange,
  SnapshotReader,
  StoredDocument,
  Timestamp,
} from "../types.js";
import { storageError } from "../errors.js";
import { claimedTableNumber } from "../ids/document-id.js";
import { docKeyOf, idOfDocKey } from "./doc-key.js";
import type { Dialect, ScanRow, TextScanRow } from "./dialect.js";
import type { RegisteredIndex } from "./registry.js";
import type { IndexId } from "../types.js";

/** What a snapshot reads through (implemented by `MvccStorage`). */
export interface SnapshotHost {
  readonly dialect: Dialect;
  tableNameNow(tableNumber: number): string | undefined;
  tableNameOf(tableNumber: number): Promise<string>;
  registeredIndex(id: IndexId): Promise<RegisteredIndex | undefined>;
}

export class Snapshot implements SnapshotReader {
  constructor(
    private readonly store: SnapshotHost,
    readonly ts: Timestamp,
    /** Set when the timestamp is checked against the head before the first read. */
    private ready: Promise<void> | null = null,
  ) {
    // Its failure is reported by the first read; a snapshot never read must not leave it unhandled.
    ready?.catch(() => {});
  }

  async get(id: DocumentId): Promise<StoredDocument | null> {
    if (this.ready) await this.ready;
    const tableNumber = claimedTableNumber(id);
    if (tableNumber === null) return null;
    const row = await this.store.dialect.getVersion({ tableNumber, id, docKey: docKeyOf(id) }, this.ts);
    if (!row || row.json === null) return null;
    const table = this.store.tableNameNow(row.tableNumber) ?? (await this.store.tableNameOf(row.tableNumber));
    return { id: row.id as DocumentId, table, ts: row.ts as Timestamp, value: JSON.parse(row.json) as DocumentJSON };
  }

  async scan(range: KeyRange, order: "asc" | "desc", limit: number): Promise<IndexEntry[]> {
    const { table, rows } = await this.#rows(range, order, limit);
    return rows.map((r) => ({
      key: r.key,
      doc: {
        id: idOfDocKey(r.docKey) as DocumentId,
        table,
        ts: r.ts as Timestamp,
        value: JSON.parse(r.json) as DocumentJSON,
      },
    }));
  }

  async scanText(range: KeyRange, order: "asc" | "desc", limit: number): Promise<IndexEntryText[]> {
    const dialect = this.store.dialect;
    if (!dialect.scanText) {
      const { rows } = await this.#rows(range, order, limit);
      const out = new Array<IndexEntryText>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        out[i] = { key: r.key, id: idOfDocKey(r.docKey) as DocumentId, json: r.json };
      }
      return out;
    }
    const index = await this.#index(range);
    if (!(limit > 0)) return [];
    const rows = await dialect.scanText(index.source, range.start, range.end, this.ts, order, Math.floor(limit));
    const out = new Array<IndexEntryText>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = new TextEntry(r.key, r.docKey, r.json);
    }
    return out;
  }

  async #index(range: KeyRange): Promise<RegisteredIndex> {
    if (this.ready) await this.ready;
    const index = await this.store.registeredIndex(range.index);
    if (!index) throw storageError("NotFound", "IndexNotFound", `Index ${range.index} does not exist`);
    return index;
  }

  async #rows(range: KeyRange, order: "asc" | "desc", limit: number): Promise<{ table: string; rows: ScanRow[] }> {
    const index = await this.#index(range);
    const table = index.info.table;
    if (!(limit > 0)) return { table, rows: [] };
    return {
      table,
      rows: await this.store.dialect.scan(index.source, range.start, range.end, this.ts, order, Math.floor(limit)),
    };
  }
}

/** A text scan's entry; its id is read from the doc key only when asked (most readers never do). */
class TextEntry implements IndexEntryText {
  readonly key: IndexKey;
  readonly #docKey: TextScanRow["docKey"];
  readonly json: string;

  constructor(key: IndexKey, docKey: TextScanRow["docKey"], json: string) {
    this.key = key;
    this.#docKey = docKey;
    this.json = json;
  }

  get id(): DocumentId {
    const d = this.#docKey;
    const docKey = d === null ? this.key : typeof d === "bigint" ? this.key.subarray(this.key.length - Number(d)) : d;
    return idOfDocKey(docKey) as DocumentId;
  }
}
