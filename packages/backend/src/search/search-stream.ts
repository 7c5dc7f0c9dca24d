/**
 * A running `withSearchIndex(...)` query in a function thread. The engine's index answers with
 * ids in relevance order; each is read here at the query's own snapshot (and own writes), and a
 * hit whose version there no longer matches is dropped. The read set holds the table's marker,
 * which every commit into the table writes, so any insert, patch or delete there re-runs the
 * query (coarse, and correct).
 */
import { fromConvexJSON, type DocumentId, type DocumentJSON } from "@tandem/storage";
import type { Value } from "convex/values";
import { badRequest } from "../errors.js";
import type { Transaction } from "../transactions/transaction.js";
import { tableMarkerRange } from "../transactions/table-marker.js";
import { evaluate } from "../runtime/query/filter.js";
import type { SearchService, TextSearchResult } from "./search-request.js";
import { matchesText } from "./text-index.js";
import { MAX_SEARCH_RESULTS } from "./tokenize.js";

export interface SearchSource {
  readonly indexName: string;
  readonly filters: readonly unknown[];
}

type Operator = { readonly filter: unknown } | { readonly limit: number };

export class SearchStream {
  readonly #tx: Transaction;
  readonly #service: SearchService;
  readonly #source: SearchSource;
  readonly #filters: unknown[];
  readonly #limit: number | null;
  #result: TextSearchResult | null = null;
  /** Position in the hit list. */
  #at = 0;
  #returned = 0;

  constructor(
    tx: Transaction,
    service: SearchService | undefined,
    source: SearchSource,
    operators: readonly Operator[],
  ) {
    if (!service) throw badRequest("SearchNotSupported", "Text search is not available here.");
    this.#tx = tx;
    this.#service = service;
    this.#source = source;
    const dot = source.indexName.indexOf(".");
    if (dot <= 0) throw badRequest("InvalidQuery", `Invalid search index name ${JSON.stringify(source.indexName)}.`);
    tx.recordRange(tableMarkerRange(source.indexName.slice(0, dot)));
    this.#filters = operators.filter((o) => "filter" in o).map((o) => (o as { filter: unknown }).filter);
    const limits = operators.filter((o) => "limit" in o).map((o) => (o as { limit: number }).limit);
    this.#limit = limits.length ? Math.min(...limits) : null;
  }

  /** Hits read so far (a page cursor). */
  get position(): number {
    return this.#at;
  }

  /** Skips the first `n` hits (continuing a page). */
  async skip(n: number): Promise<void> {
    await this.#load();
    this.#at = Math.min(n, this.#result!.hits.length);
  }

  get exhausted(): boolean {
    return this.#result !== null && this.#at >= this.#result.hits.length;
  }

  async next(): Promise<DocumentJSON | null> {
    if (this.#limit !== null && this.#returned >= this.#limit) return null;
    const r = await this.#load();
    const query = { terms: r.terms, prefix: r.prefix };
    while (this.#at < r.hits.length) {
      const hit = r.hits[this.#at++]!;
      const doc = await this.#tx.get(hit.id as DocumentId, r.table);
      if (!doc || !matchesText(doc, r.searchField, query, r.filterKeys)) continue;
      if (this.#filters.length > 0) {
        const value = fromConvexJSON(doc) as Value;
        if (!this.#filters.every((f) => evaluate(f as never, value) === true)) continue;
      }
      this.#returned += 1;
      return doc;
    }
    return null;
  }

  async #load(): Promise<TextSearchResult> {
    if (this.#result) return this.#result;
    // Without `.filter()` a limit says how many hits are needed; a few more cover hits dropped
    // because they changed after this snapshot.
    const want =
      this.#filters.length === 0 && this.#limit !== null
        ? Math.min(MAX_SEARCH_RESULTS, this.#limit + 16)
        : MAX_SEARCH_RESULTS;
    this.#result = await this.#service.textSearch({
      indexName: this.#source.indexName,
      filters: this.#source.filters,
      limit: want,
      ts: this.#tx.ts.toString(),
      ...(this.#tx.hasWrites() ? { ownWrites: this.#ownWrites() } : {}),
    });
    return this.#result;
  }

  #ownWrites(): DocumentJSON[] {
    const table = this.#source.indexName.slice(0, this.#source.indexName.indexOf("."));
    const out: DocumentJSON[] = [];
    for (const w of this.#tx.writes()) if (w.table === table && w.value !== null) out.push(w.value);
    return out;
  }

  /** Nothing to record beyond the table marker (recorded up front). */
  finish(): void {}
}

/** `.paginate()` over a search: cursors are positions in the relevance-ordered hit list. */
export async function readSearchPage(
  stream: SearchStream,
  req: { cursor: string | null; endCursor: string | null; pageSize: number },
): Promise<{
  page: DocumentJSON[];
  isDone: boolean;
  continueCursor: string;
  splitCursor: string | null;
  pageStatus: null;
}> {
  if (!Number.isFinite(req.pageSize) || req.pageSize < 0)
    throw badRequest("InvalidPageSize", "`numItems` must be a positive number.");
  const start = req.cursor === null ? 0 : decodeSearchCursor(req.cursor);
  const end = req.endCursor === null ? null : decodeSearchCursor(req.endCursor);
  await stream.skip(start);
  const page: DocumentJSON[] = [];
  // The position after each document: where the page may be split in two (as for index pages).
  const after: number[] = [];
  for (;;) {
    if (end !== null ? stream.position >= end : page.length >= req.pageSize) break;
    const doc = await stream.next();
    if (doc === null) break;
    page.push(doc);
    after.push(stream.position);
  }
  const isDone = stream.exhausted;
  const split = page.length >= 2 ? after[Math.floor((page.length - 1) / 2)]! : null;
  return {
    page,
    isDone,
    continueCursor: encodeSearchCursor(end ?? stream.position),
    splitCursor: split === null ? null : encodeSearchCursor(split),
    pageStatus: null,
  };
}

const CURSOR_PREFIX = "search:";

function encodeSearchCursor(n: number): string {
  return CURSOR_PREFIX + n;
}

function decodeSearchCursor(c: string): number {
  const n = c.startsWith(CURSOR_PREFIX) ? Number(c.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isInteger(n) || n < 0)
    throw badRequest("InvalidCursor", "InvalidCursor: this cursor does not belong to a search query.");
  return n;
}

/** The search source and operators of a serialized query, or null for any other query. */
export function searchSourceOf(query: unknown): { source: SearchSource; operators: Operator[] } | null {
  const q = query as {
    source?: { type?: unknown; indexName?: unknown; filters?: unknown };
    operators?: unknown;
  } | null;
  if (!q || typeof q !== "object" || q.source?.type !== "Search") return null;
  if (typeof q.source.indexName !== "string" || !Array.isArray(q.source.filters))
    throw badRequest("InvalidQuery", "Malformed search query");
  const operators = Array.isArray(q.operators) ? (q.operators as Operator[]) : [];
  if (operators.length > 256) throw badRequest("InvalidQuery", "Too many query operators (limit: 256)");
  return { source: { indexName: q.source.indexName, filters: q.source.filters }, operators };
}
