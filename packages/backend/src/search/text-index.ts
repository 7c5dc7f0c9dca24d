/**
 * An in-memory inverted index over one search index's documents: postings (term → document →
 * term frequency), document lengths for BM25, and each document's filter-field keys. Scoring is
 * Okapi BM25 (k1 = 1.2, b = 0.75, Lucene's idf), like Tantivy's; a document matches when it
 * contains any query term (the last one also as a prefix) and every equality filter.
 */
import type { DocumentJSON } from "@tandem/storage";
import { jsonAtPath, valueKey } from "./filter-key.js";
import { MAX_PREFIX_EXPANSIONS, MAX_SEARCH_RESULTS, tokenize, type TextQuery } from "./tokenize.js";

export interface TextIndexDefinition {
  readonly searchField: string;
  readonly filterFields: readonly string[];
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
}

/** Equality filters: field path → value key (`valueKey`). */
export type FilterKeys = ReadonlyArray<readonly [field: string, key: string]>;

interface Entry {
  readonly terms: Map<string, number>;
  readonly length: number;
  readonly filters: ReadonlyMap<string, string>;
  readonly creationTime: number;
}

const K1 = 1.2;
const B = 0.75;

export class TextIndex {
  readonly #docs = new Map<string, Entry>();
  readonly #postings = new Map<string, Map<string, number>>();
  #totalLength = 0;
  /** Every indexed term, sorted, for prefix lookups; rebuilt when terms were added since. */
  #sorted: string[] | null = null;

  constructor(readonly definition: TextIndexDefinition) {}

  get size(): number {
    return this.#docs.size;
  }

  /** Indexes the document's current version (null: it was deleted). */
  put(id: string, doc: DocumentJSON | null): void {
    this.#remove(id);
    if (doc === null) return;
    const text = jsonAtPath(doc, this.definition.searchField);
    const filters = new Map<string, string>();
    for (const f of this.definition.filterFields) filters.set(f, valueKey(jsonAtPath(doc, f)));
    // A document whose search field is not a string is not in the index (as on Convex).
    if (typeof text !== "string") return;
    const tokens = tokenize(text);
    const terms = new Map<string, number>();
    for (const t of tokens) terms.set(t, (terms.get(t) ?? 0) + 1);
    this.#docs.set(id, { terms, length: tokens.length, filters, creationTime: doc._creationTime });
    this.#totalLength += tokens.length;
    for (const [t, tf] of terms) {
      let p = this.#postings.get(t);
      if (!p) {
        p = new Map();
        this.#postings.set(t, p);
        this.#sorted = null;
      }
      p.set(id, tf);
    }
  }

  #remove(id: string): void {
    const old = this.#docs.get(id);
    if (!old) return;
    this.#docs.delete(id);
    this.#totalLength -= old.length;
    for (const t of old.terms.keys()) {
      const p = this.#postings.get(t);
      if (!p) continue;
      p.delete(id);
      if (p.size === 0) {
        this.#postings.delete(t);
        this.#sorted = null;
      }
    }
  }

  /** The best `limit` matches, best first (ties: newest first). */
  search(query: TextQuery, filters: FilterKeys, limit = MAX_SEARCH_RESULTS): SearchHit[] {
    const n = this.#docs.size;
    if (n === 0 || limit <= 0) return [];
    const avgLength = this.#totalLength / n;
    const scores = new Map<string, number>();
    const termScores = (term: string, each: (id: string, score: number) => void) => {
      const postings = this.#postings.get(term);
      if (!postings) return;
      const df = postings.size;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const [id, tf] of postings) {
        const length = this.#docs.get(id)!.length;
        each(id, (idf * (tf * (K1 + 1))) / (tf + K1 * (1 - B + (B * length) / avgLength)));
      }
    };
    const add = (id: string, s: number) => scores.set(id, (scores.get(id) ?? 0) + s);
    for (const t of query.terms) if (t !== query.prefix) termScores(t, add);
    if (query.prefix !== null) {
      // The last term counts once per document: its best-scoring completion (itself included).
      const best = new Map<string, number>();
      for (const t of this.#expand(query.prefix)) termScores(t, (id, s) => best.set(id, Math.max(best.get(id) ?? 0, s)));
      for (const [id, s] of best) add(id, s);
    }

    const hits: SearchHit[] = [];
    outer: for (const [id, score] of scores) {
      if (filters.length > 0) {
        const f = this.#docs.get(id)!.filters;
        for (const [field, key] of filters) if (f.get(field) !== key) continue outer;
      }
      hits.push({ id, score });
    }
    const ctime = (id: string) => this.#docs.get(id)!.creationTime;
    hits.sort((a, b) => b.score - a.score || ctime(b.id) - ctime(a.id));
    return hits.length > limit ? hits.slice(0, limit) : hits;
  }

  /** Indexed terms that start with `prefix` (the term itself included), at most MAX_PREFIX_EXPANSIONS. */
  #expand(prefix: string): string[] {
    const sorted = (this.#sorted ??= [...this.#postings.keys()].sort());
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!);
    if (out.length <= MAX_PREFIX_EXPANSIONS) return out;
    // Too many to score: keep the rarest, which carry the most weight.
    const df = (t: string) => this.#postings.get(t)?.size ?? 0;
    return out.sort((a, b) => df(a) - df(b)).slice(0, MAX_PREFIX_EXPANSIONS);
  }
}

/** Whether a document (as a function thread reads it) matches the query terms and the filters. */
export function matchesText(doc: DocumentJSON, searchField: string, query: TextQuery, filters: FilterKeys): boolean {
  for (const [f, key] of filters) if (valueKey(jsonAtPath(doc, f)) !== key) return false;
  const text = jsonAtPath(doc, searchField);
  if (typeof text !== "string") return false;
  const exact = new Set(query.terms);
  return tokenize(text).some((t) => exact.has(t) || (query.prefix !== null && t.startsWith(query.prefix)));
}
