/**
 * Pagination cursors and query journals. A cursor names a position in one query's index: the key
 * of the last document of a page, or the end of the range. Cursors are opaque to clients but
 * checked: a cursor from another index or order is rejected with `InvalidCursor`, the text the
 * official client looks for to reset pagination (docs/semantics.md#pagination).
 */
import { badRequest } from "../../errors.js";
import type { IndexKey } from "@tandem/storage";
import type { QueryPlan } from "./plan.js";

export type Position =
  { readonly kind: "key"; readonly key: IndexKey } | { readonly kind: "end" } | { readonly kind: "start" };

interface CursorBody {
  v: 1;
  i: number;
  o: "asc" | "desc";
  /** base64 key of the last document read; null = end of the range. */
  k: string | null;
  /** Set for "before the first document" (a page of zero items). */
  s?: true;
}

export function encodeCursor(plan: QueryPlan, pos: Position): string {
  const body: CursorBody =
    pos.kind === "key"
      ? { v: 1, i: plan.index.id, o: plan.order, k: Buffer.from(pos.key).toString("base64") }
      : { v: 1, i: plan.index.id, o: plan.order, k: null, ...(pos.kind === "start" ? { s: true as const } : {}) };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function decodeCursor(plan: QueryPlan, cursor: string): Position {
  let body: CursorBody;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorBody;
  } catch {
    throw invalid("the cursor is malformed");
  }
  if (!body || body.v !== 1 || (body.k !== null && typeof body.k !== "string"))
    throw invalid("the cursor is malformed");
  if (body.i !== plan.index.id || body.o !== plan.order)
    throw invalid("the cursor belongs to a different query (index or order changed)");
  if (body.k === null) return body.s ? { kind: "start" } : { kind: "end" };
  return { kind: "key", key: new Uint8Array(Buffer.from(body.k, "base64")) as IndexKey };
}

function invalid(why: string) {
  return badRequest(
    "InvalidCursor",
    `InvalidCursor: ${why}. Pagination cursors can't be reused across different queries.`,
  );
}

/** The journal of a paginated query execution: where its page ended. */
export function encodeJournal(endCursor: string | null): string | null {
  return endCursor === null ? null : JSON.stringify({ endCursor });
}

export function journalEndCursor(journal: string | null | undefined): string | null {
  if (!journal) return null;
  try {
    const j = JSON.parse(journal) as { endCursor?: unknown };
    return typeof j.endCursor === "string" ? j.endCursor : null;
  } catch {
    return null;
  }
}
