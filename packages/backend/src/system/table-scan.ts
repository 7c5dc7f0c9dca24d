/**
 * Reading a table in `_creationTime` order at the latest snapshot, a page at a time. Cursors are
 * the hex of the last index key returned, so a page continues exactly where the last one ended
 * even when documents were written in between.
 */
import { badRequest } from "../errors.js";
import { fullRange, rangeAfter, type DocumentJSON, type IndexKey, type KeyRange, type Storage } from "@tandem/storage";

export interface ScanPage {
  readonly docs: DocumentJSON[];
  /** Hex of the last key read ("" when nothing was read and there was no cursor). */
  readonly continueCursor: string;
  readonly isDone: boolean;
}

export function creationIndex(storage: Storage, table: string) {
  return storage.indexes(table).find((i) => i.name === "by_creation_time") ?? null;
}

export async function scanTable(
  storage: Storage,
  table: string,
  order: "asc" | "desc",
  cursor: string | null,
  limit: number,
): Promise<ScanPage> {
  const index = creationIndex(storage, table);
  if (!index) return { docs: [], continueCursor: cursor ?? "", isDone: true };
  return scanRange(storage, fullRange(index), order, cursor, limit);
}

/** A page of `base` (one index's range) after `cursor`. */
export async function scanRange(
  storage: Storage,
  base: KeyRange,
  order: "asc" | "desc",
  cursor: string | null,
  limit: number,
): Promise<ScanPage> {
  let range = base;
  if (cursor) {
    if (!/^([0-9a-f]{2})+$/.test(cursor)) throw badRequest("InvalidCursor", "Invalid cursor.");
    range = rangeAfter(range, Buffer.from(cursor, "hex") as unknown as IndexKey, order);
  }
  const entries = await storage.snapshot().scan(range, order, limit);
  const last = entries[entries.length - 1];
  return {
    docs: entries.map((e) => e.doc.value),
    continueCursor: last ? Buffer.from(last.key).toString("hex") : (cursor ?? ""),
    isDone: entries.length < limit,
  };
}

/** Every live document of `table`, in batches (for counting and clearing). */
export async function* allDocuments(storage: Storage, table: string, batch = 512): AsyncGenerator<DocumentJSON> {
  let cursor: string | null = null;
  for (;;) {
    const page: ScanPage = await scanTable(storage, table, "asc", cursor, batch);
    yield* page.docs;
    if (page.isDone) return;
    cursor = page.continueCursor;
  }
}

export async function countTable(storage: Storage, table: string): Promise<number> {
  let n = 0;
  for await (const _ of allDocuments(storage, table)) n++;
  return n;
}
