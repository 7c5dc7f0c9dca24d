/** What a function thread asks of the search indexes (plain data: it crosses threads). */
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";

export interface TextSearchRequest {
  /** `table.index`, as the serialized query names it. */
  readonly indexName: string;
  /** The serialized filters: one `Search`, then `Eq`s (docs/architecture.md#serialized-queries). */
  readonly filters: readonly unknown[];
  /** How many hits the query can use at most. */
  readonly limit: number;
  /** The snapshot the query reads (decimal nanoseconds): the index must have seen every commit up to it. */
  readonly ts: string;
  /**
   * Documents the running mutation wrote into the table (not yet in the index): scored against
   * the index's statistics and merged into the hits when they match.
   */
  readonly ownWrites?: readonly DocumentJSON[];
}

export interface TextSearchResult {
  readonly table: string;
  /** Best first. */
  readonly hits: ReadonlyArray<{ readonly id: string; readonly score: number }>;
  /** The parsed query and filters, so the thread can re-check hits against its snapshot. */
  readonly terms: readonly string[];
  readonly prefix: string | null;
  readonly filterKeys: ReadonlyArray<readonly [string, string]>;
  readonly searchField: string;
}

export interface VectorSearchRequest {
  readonly indexName: string;
  readonly vector: readonly number[];
  readonly limit?: number;
  readonly expressions: ConvexJSON | null;
}

export interface VectorSearchResult {
  readonly results: ReadonlyArray<{ readonly _id: string; readonly _score: number }>;
}

/** The search side of the engine, reachable from any thread. */
export interface SearchService {
  textSearch(req: TextSearchRequest): Promise<TextSearchResult>;
  vectorSearch(req: VectorSearchRequest): Promise<VectorSearchResult>;
}
