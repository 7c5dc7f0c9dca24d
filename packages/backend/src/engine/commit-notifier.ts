/**
 * Tells subscribers what each commit wrote (every old and new index key is a point a live query
 * may have read), or that everything may have changed (new code or environment variables).
 * A commit that came with a new (or dropped) table also writes the catalog point, which the
 * dashboard's table list reads (`CATALOG_RANGE`).
 */
import type { Logger } from "@tandem/shared";
import type { IndexId, IndexKey, IndexWrite, KeyRange, TableInfo, Timestamp } from "@tandem/storage";
import type { CommitNotice } from "./types.js";

/** Index ids start at 1: 0 names the set of tables, which no real index covers. */
const CATALOG_INDEX = 0 as IndexId;
const EMPTY_KEY = new Uint8Array(0) as IndexKey;
/** What a query listing the tables reads: re-run when a table appears or goes away. */
export const CATALOG_RANGE: KeyRange = { index: CATALOG_INDEX, start: EMPTY_KEY, end: null };

/** Tables are numbered from a counter that never goes back: count and highest number say "changed". */
function catalogShape(tables: readonly TableInfo[]): string {
  let max = 0;
  for (const t of tables) if (t.number > max) max = t.number;
  return `${tables.length}:${max}`;
}

export class CommitNotifier {
  readonly #listeners = new Set<(n: CommitNotice) => void>();
  #catalog: string;
  /** The table list `#catalog` was taken from: the storage hands out the same array until it changes. */
  #catalogOf: readonly TableInfo[];

  constructor(
    private readonly log: Logger,
    private readonly tables: () => readonly TableInfo[] = () => [],
  ) {
    this.#catalogOf = tables();
    this.#catalog = catalogShape(this.#catalogOf);
  }

  subscribe(listener: (n: CommitNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  committed(ts: Timestamp, indexWrites: readonly IndexWrite[]): void {
    const writes: { index: number; key: Uint8Array }[] = [];
    for (const w of indexWrites) {
      if (w.oldKey) writes.push({ index: w.index, key: w.oldKey });
      if (w.newKey) writes.push({ index: w.index, key: w.newKey });
    }
    const tables = this.tables();
    if (tables !== this.#catalogOf) {
      this.#catalogOf = tables;
      const catalog = catalogShape(tables);
      if (catalog !== this.#catalog) {
        this.#catalog = catalog;
        writes.push({ index: CATALOG_INDEX, key: EMPTY_KEY });
      }
    }
    this.#send({ ts, writes });
  }

  /** Code or env changed: subscriptions re-run at `ts`. */
  everything(ts: Timestamp): void {
    this.#send({ ts, writes: [], all: true });
  }

  clear(): void {
    this.#listeners.clear();
  }

  #send(notice: CommitNotice): void {
    for (const l of this.#listeners) {
      try {
        l(notice);
      } catch (e) {
        this.log.error("commit listener failed", { error: e });
      }
    }
  }
}
