/**
 * A running `db.query(...)`: pulls documents from the transaction's merged scan, applies filters
 * and limits, and records in the read set exactly the part of the range it consumed (the whole
 * range once exhausted; up to the last key read when stopped early by a limit).
 */
import { fromConvexJSON, type DocumentJSON, type IndexKey, type KeyRange } from "@tandem/storage";
import type { Value } from "convex/values";
import type { ScanCursor, ScanEntry, Transaction } from "../../transactions/transaction.js";
import { scanValue, successorKey } from "../../transactions/transaction.js";
import { evaluate } from "./filter.js";
import type { QueryPlan } from "./plan.js";

export class QueryStream {
  readonly #tx: Transaction;
  readonly #plan: QueryPlan | null;
  #cursor: ScanCursor | null = null;
  #lastKey: IndexKey | null = null;
  #exhausted = false;
  #finished = false;
  #returned = 0;
  #limit: number | null;
  readonly #filters: unknown[];

  constructor(tx: Transaction, plan: QueryPlan | null) {
    this.#tx = tx;
    this.#plan = plan;
    const ops = plan?.operators ?? [];
    this.#filters = ops.filter((o) => "filter" in o).map((o) => (o as { filter: unknown }).filter);
    const limits = ops.filter((o) => "limit" in o).map((o) => (o as { limit: number }).limit);
    this.#limit = limits.length ? Math.min(...limits) : null;
  }

  /** Next matching document, or null when done. */
  async next(): Promise<DocumentJSON | null> {
    const e = await this.nextEntry();
    return e === null ? null : scanValue(e);
  }

  /** Next matching document as a scan entry (its stored text, unparsed when no filter needed it). */
  async nextEntry(): Promise<ScanEntry | null> {
    for (;;) {
      const e = this.nextEntryNow();
      if (e !== undefined) return e;
      await this.#cursor!.load();
    }
  }

  /**
   * `nextEntry` when it needs no read: the entry, null when done, or undefined when the next
   * batch must be loaded first (`nextEntry` does).
   */
  nextEntryNow(): ScanEntry | null | undefined {
    if (this.#finished || !this.#plan) return this.#done(true);
    if (this.#limit !== null && this.#returned >= this.#limit) return this.#done(false);
    // Without filters a limit says exactly how many rows are needed (`unique()` asks for 2).
    const expected = this.#filters.length === 0 && this.#limit !== null ? this.#limit : undefined;
    this.#cursor ??= this.#tx.scanCursor(this.#plan.index, this.#plan.range, this.#plan.order, expected);
    for (;;) {
      const e = this.#cursor.next();
      if (e === undefined) return undefined;
      if (e === null) return this.#done(true);
      this.#lastKey = e.key;
      if (this.#matches(e)) {
        this.#returned += 1;
        return e;
      }
    }
  }

  #matches(e: ScanEntry): boolean {
    if (this.#filters.length === 0) return true;
    const value = fromConvexJSON(scanValue(e)) as Value;
    return this.#filters.every((f) => evaluate(f as never, value) === true);
  }

  #done(exhausted: boolean): null {
    if (!this.#finished) {
      this.#exhausted = exhausted;
      this.finish();
    }
    return null;
  }

  /** Records the consumed range (idempotent). Called on completion, cleanup, or execution end. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const plan = this.#plan;
    if (!plan) return;
    const consumed = consumedRange(
      plan.range,
      plan.order,
      this.#exhausted ? null : this.#lastKey,
      this.#exhausted || this.#cursor !== null,
    );
    if (consumed) this.#tx.recordRange(consumed);
  }
}

/**
 * The part of `range` read: all of it when `lastKey` is null (exhausted), else from the start to
 * `lastKey` inclusive in scan order. Nothing when the scan never started.
 */
export function consumedRange(
  range: KeyRange,
  order: "asc" | "desc",
  lastKey: IndexKey | null,
  started: boolean,
): KeyRange | null {
  if (!started) return null;
  if (lastKey === null) return range;
  return order === "asc" ? { ...range, end: successorKey(lastKey) } : { ...range, start: lastKey };
}
