/**
 * `.paginate()` (`1.0/queryPage`): one page of a query from a cursor, either `pageSize` matching
 * documents or — when an end cursor is given or remembered in the journal — everything up to that
 * cursor, so reactive pages never move their boundaries. `maximumRowsRead`/`maximumBytesRead` cut a
 * page short (`SplitRequired`); a `splitCursor` tells the client where it may split a page in two.
 */
import { compareKeys, fromConvexJSON, type DocumentJSON, type IndexKey, type KeyRange } from "@tandem/storage";
import type { Value } from "convex/values";
import { badRequest } from "../../errors.js";
import type { Transaction } from "../../transactions/transaction.js";
import { scanValue, successorKey } from "../../transactions/transaction.js";
import { decodeCursor, encodeCursor, type Position } from "./cursor.js";
import { evaluate } from "./filter.js";
import type { QueryPlan } from "./plan.js";

export interface PageRequest {
  readonly cursor: string | null;
  readonly endCursor: string | null;
  readonly pageSize: number;
  readonly maximumRowsRead: number | null;
  readonly maximumBytesRead: number | null;
}

export interface PageResult {
  readonly page: DocumentJSON[];
  readonly isDone: boolean;
  readonly continueCursor: string;
  readonly splitCursor: string | null;
  readonly pageStatus: "SplitRecommended" | "SplitRequired" | null;
}

export async function readPage(tx: Transaction, plan: QueryPlan, req: PageRequest): Promise<PageResult> {
  if (!Number.isFinite(req.pageSize) || req.pageSize < 0)
    throw badRequest("InvalidPageSize", "`numItems` must be a positive number.");
  if (req.pageSize > 32_000) throw badRequest("PageSizeTooLarge", "`numItems` must be at most 32000.");
  const start = req.cursor === null ? null : decodeCursor(plan, req.cursor);
  const end = req.endCursor === null ? null : decodeCursor(plan, req.endCursor);
  if (req.pageSize === 0 && end === null) {
    // An empty page reads nothing and stays where it started.
    return {
      page: [],
      isDone: false,
      continueCursor: encodeCursor(plan, start ?? { kind: "start" }),
      splitCursor: null,
      pageStatus: null,
    };
  }
  const range = narrow(plan.range, plan.order, start, end);
  const filters = plan.operators.filter((o) => "filter" in o).map((o) => (o as { filter: unknown }).filter);
  const page: DocumentJSON[] = [];
  // Keys of the page's documents, and of the rows read before the first of them (only kept under a
  // read budget: they are where a cut page with no document splits).
  const budgeted = req.maximumRowsRead !== null || req.maximumBytesRead !== null;
  const pageKeys: IndexKey[] = [];
  const readKeys: IndexKey[] = [];
  let lastKey: IndexKey | null = null;
  let seenKey: IndexKey | null = null;
  let rows = 0;
  let bytes = 0;
  let exhausted = true;
  let cut = false;
  if (range) {
    for await (const e of tx.scan(plan.index, range, plan.order)) {
      // The read budget is checked before taking another row, so a range that fits exactly is
      // complete, and every page makes progress by at least one row.
      if (rows > 0 && overBudget(req, rows, bytes)) {
        exhausted = false;
        cut = true;
        // The cut depends on this row existing: it joins the read set, not the page.
        seenKey = e.key;
        break;
      }
      lastKey = e.key;
      rows += 1;
      const doc = scanValue(e);
      bytes += e.value === null ? e.json.length : JSON.stringify(doc).length;
      if (filters.length === 0 || filters.every((f) => evaluate(f as never, fromConvexJSON(doc) as Value) === true)) {
        page.push(doc);
        pageKeys.push(e.key);
      } else if (budgeted && pageKeys.length === 0) readKeys.push(e.key);
      if (end === null && page.length >= req.pageSize) {
        exhausted = false;
        break;
      }
    }
  }
  // The read set covers the whole range when we ran to its end, or up to the last key read.
  if (range) {
    const upTo = seenKey ?? lastKey;
    const consumed: KeyRange =
      exhausted || upTo === null
        ? range
        : plan.order === "asc"
          ? { ...range, end: successorKey(upTo) }
          : { ...range, start: upTo };
    tx.recordRange(consumed);
  }
  // A page pinned by an end cursor keeps answering for everything up to it, even when the read
  // budget cut it short (the client splits it to fill the rest); otherwise the page ends at the
  // last key read, or at the range end.
  const continuePos: Position =
    end !== null ? end : exhausted || lastKey === null ? { kind: "end" } : { kind: "key", key: lastKey };
  // Where the client may split this page in two, (cursor, split] and (split, continue]: the
  // middle document (a scanned row for an empty page). Offered whenever a split can make progress;
  // a page cut by the budget must be split (`SplitRequired`), as its rows may be incomplete.
  const splitKeys = pageKeys.length > 0 ? pageKeys : readKeys;
  const splitKey = cut || page.length >= 2 ? (splitKeys[Math.floor((splitKeys.length - 1) / 2)] ?? null) : null;
  return {
    page,
    isDone: continuePos.kind === "end",
    continueCursor: encodeCursor(plan, continuePos),
    splitCursor: splitKey === null ? null : encodeCursor(plan, { kind: "key", key: splitKey }),
    pageStatus: cut ? "SplitRequired" : null,
  };
}

/** Whether `maximumRowsRead` / `maximumBytesRead` is used up (bytes as counted for read limits). */
function overBudget(req: PageRequest, rows: number, bytes: number): boolean {
  return (
    (req.maximumRowsRead !== null && rows >= req.maximumRowsRead) ||
    (req.maximumBytesRead !== null && bytes >= req.maximumBytesRead)
  );
}

/** The sub-range strictly after `start` and up to `end` inclusive, in scan order; null if empty. */
function narrow(range: KeyRange, order: "asc" | "desc", start: Position | null, end: Position | null): KeyRange | null {
  let r = range;
  if (start?.kind === "end" || end?.kind === "start") return null;
  if (start?.kind === "key") r = order === "asc" ? { ...r, start: successorKey(start.key) } : { ...r, end: start.key };
  if (end?.kind === "key") r = order === "asc" ? { ...r, end: successorKey(end.key) } : { ...r, start: end.key };
  if (r.end !== null && compareKeys(r.start, r.end) >= 0) return null;
  return r;
}
