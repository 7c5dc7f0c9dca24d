/**
 * Commits made by the server itself (snapshot import) straight to storage, outside the
 * engine's mutation pipeline: they must still reach live subscriptions, and function threads
 * must learn of tables they create. `announce` does both; the server wiring merges these
 * notices with the engine's own for the sync layer.
 */
import type { CommitResult, Timestamp } from "@tandem/storage";
import type { CommitNotice } from "../engine/types.js";
import { tableMarkerWrites } from "../transactions/table_marker.js";

export class ExternalCommits {
  readonly #listeners = new Set<(notice: CommitNotice) => void>();
  readonly #catalogChanged: () => Promise<void>;

  /** `catalogChanged` makes function threads reload tables (they keep their own catalog). */
  constructor(catalogChanged: () => Promise<void>) {
    this.#catalogChanged = catalogChanged;
  }

  onCommit(listener: (notice: CommitNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async announce(result: CommitResult, tables: Iterable<string>, createdTables: boolean): Promise<void> {
    if (createdTables) await this.#catalogChanged();
    const writes: { index: number; key: Uint8Array }[] = [];
    for (const w of [...result.indexWrites, ...tableMarkerWrites(tables)]) {
      if (w.oldKey) writes.push({ index: w.index, key: w.oldKey });
      if (w.newKey) writes.push({ index: w.index, key: w.newKey });
    }
    const notice: CommitNotice = { ts: result.ts as Timestamp, writes };
    for (const l of this.#listeners) l(notice);
  }
}
