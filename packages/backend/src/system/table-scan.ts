/**
 * Reading a table in `_creationTime` order, a page at a time, at the caller's snapshot (a query's
 * timestamp), recording what was read: the part of the range a page covers, so a subscription to
 * the page is re-run exactly by commits that change it. Cursors are the hex of the last index key
 * returned, so a page continues exactly where the last one ended even when documents were
 * written in between.
 */
import { badRequest } from "../errors.js";
import {
  fullRange,
  prefixSuccessor,
  rangeAfter,
  type DocumentJSON,
  type IndexKey,
  type KeyRange,
  type Storage,
} from "@tandem/storage";
import type { SystemReads } from "../engine/types.js";

export interface ScanPage {
  readonly docs: DocumentJSON[];
  /** Hex of the last key read ("" when nothing was read and there was no cursor). */
  readonly continueCursor: string;
  readonly isDone: boolean;
}

/** The latest snapshot, nothing recorded: for writers (clearing a table) and the like. */
export const latestReads = (storage: Storage): SystemReads => ({ snapshot: storage.snapshot(), record: () => {} });

export function creationIndex(storage: Storage, table: string) {
  return storage.indexes(table).find((i) => i.name === "by_creation_time") ?? null;
}

export async function scanTable(
  storage: Storage,
  reads: SystemReads,
  table: string,
  order: "asc" | "desc",
  cursor: string | null,
  limit: number,
): Promise<ScanPage> {
  const index = creationIndex(storage, table);
  if (!index) return { docs: [], continueCursor: cursor ?? "", isDone: true };
  return scanRange(reads, fullRange(index), order, cursor, limit);
}

/** A page of `base` (one index's range) after `cursor`. */
export async function scanRange(
  reads: SystemReads,
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
  const entries = await reads.snapshot.scan(range, order, limit);
  const last = entries[entries.length - 1];
  const isDone = entries.length < limit;
  reads.record(isDone || !last ? range : readUpTo(range, last.key, order));
  return {
    docs: entries.map((e) => e.doc.value),
    continueCursor: last ? Buffer.from(last.key).toString("hex") : (cursor ?? ""),
    isDone,
  };
}

/** The part of `range` a page ending at `lastKey` covered (that key included). */
function readUpTo(range: KeyRange, lastKey: IndexKey, order: "asc" | "desc"): KeyRange {
  if (order === "desc") return { ...range, start: lastKey };
  return { ...range, end: prefixSuccessor(lastKey) };
}

/** Every live document of `table`, in batches (for counting and clearing). */
export async function* allDocuments(
  storage: Storage,
  reads: SystemReads,
  table: string,
  batch = 512,
): AsyncGenerator<DocumentJSON> {
  let cursor: string | null = null;
  for (;;) {
    const page: ScanPage = await scanTable(storage, reads, table, "asc", cursor, batch);
    yield* page.docs;
    if (page.isDone) return;
    cursor = page.continueCursor;
  }
}

export async function countTable(storage: Storage, reads: SystemReads, table: string): Promise<number> {
  let n = 0;
  for await (const _ of allDocuments(storage, reads, table)) n++;
  return n;
}
