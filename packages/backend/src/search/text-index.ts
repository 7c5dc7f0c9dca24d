/**
 * An in-memory inverted index over one search index's documents: postings (term → document slot
 * → term frequency), document lengths for BM25, and each document's filter-field keys. Scoring is
 * Okapi BM25 (k1 = 1.2, b = 0.75, Lucene's idf), like Tantivy's; a document matches when it
 * contains any query term (the last one also as a prefix) and every equality filter. Documents
 * live in numbered slots so a search accumulates scores in a typed array, not a map.
 */
import type { DocumentJSON } from "@tandem/storage";
import { jsonAtPath, valueKey } from "./filter-key.js";
import { Postings } from "./postings.js";
import { TopK } from "./top-k.js";
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

const K1 = 1.2;
const B = 0.75;

export class TextIndex {
  readonly #slotOf = new Map<string, number>();
  #ids: (string | null)[] = [];
  /** Each slot's distinct terms (to remove its postings) and filter keys (in `filterFields` order): arrays, not maps, to keep memory down. */
  #terms: (string[] | null)[] = [];
  #filters: (string[] | null)[] = [];
  #lengths = new Float64Array(1024);
  #ctimes = new Float64Array(1024);
  /** Bumped when a slot's document leaves, so its old postings read as stale. */
  #gens = new Int32Array(1024);
  /** Scratch accumulators of a search (always left zeroed). */
  #scores = new Float64Array(1024);
  #best = new Float64Array(1024);
  readonly #free: number[] = [];
  readonly #postings = new Map<string, Postings>();
  #totalLength = 0;
  /** Every indexed term, sorted, for prefix lookups; rebuilt when the vocabulary changed since. */
  #sorted: string[] | null = null;

  constructor(readonly definition: TextIndexDefinition) {}

  get size(): number {
    return this.#slotOf.size;
  }

  /** Indexes the document's current version (null: it was deleted). */
  put(id: string, doc: DocumentJSON | null): void {
    this.#remove(id);
    if (doc === null) return;
    const text = jsonAtPath(doc, this.definition.searchField);
    // A document whose search field is not a string is not in the index (as on Convex).
    if (typeof text !== "string") return;
    const filters = this.definition.filterFields.map((f) => valueKey(jsonAtPath(doc, f)));
    const tokens = tokenize(text);
    const terms = new Map<string, number>();
    for (const t of tokens) terms.set(t, (terms.get(t) ?? 0) + 1);
    const slot = this.#allocate();
    this.#slotOf.set(id, slot);
    this.#ids[slot] = id;
    this.#terms[slot] = [...terms.keys()];
    this.#filters[slot] = filters;
    this.#lengths[slot] = tokens.length;
    this.#ctimes[slot] = doc._creationTime;
    this.#totalLength += tokens.length;
    for (const [t, tf] of terms) {
      let p = this.#postings.get(t);
      if (!p) {
        p = new Postings();
        this.#postings.set(t, p);
        this.#sorted = null;
      }
      p.add(slot, this.#gens[slot]!, tf);
    }
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#ids.length;
    this.#ids.push(null);
    this.#terms.push(null);
    this.#filters.push(null);
    if (slot >= this.#lengths.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.#lengths = grow(this.#lengths);
      this.#ctimes = grow(this.#ctimes);
      const gens = new Int32Array(this.#gens.length * 2);
      gens.set(this.#gens);
      this.#gens = gens;
      this.#scores = new Float64Array(this.#lengths.length);
      this.#best = new Float64Array(this.#lengths.length);
    }
    return slot;
  }

  #remove(id: string): void {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return;
    this.#slotOf.delete(id);
    this.#totalLength -= this.#lengths[slot]!;
    this.#gens[slot] = (this.#gens[slot]! + 1) | 0;
    for (const t of this.#terms[slot]!) {
      const p = this.#postings.get(t);
      if (!p) continue;
      p.removed(this.#gens);
      if (p.live === 0) {
        this.#postings.delete(t);
        this.#sorted = null;
      }
    }
    this.#ids[slot] = null;
    this.#terms[slot] = null;
    this.#filters[slot] = null;
    this.#free.push(slot);
  }

  /** The best `limit` matches, best first (ties: newest first). */
  search(query: TextQuery, filters: FilterKeys, limit = MAX_SEARCH_RESULTS): SearchHit[] {
    const n = this.#slotOf.size;
    if (n === 0 || limit <= 0) return [];
    const avgLength = this.#totalLength / n;
    const lengths = this.#lengths;
    const scores = this.#scores;
    const touched: number[] = [];
    const each = (term: string, into: Float64Array, combine: "sum" | "max", list: number[]) => {
      const postings = this.#postings.get(term);
      if (!postings) return;
      const df = postings.live;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const norm = K1 / avgLength;
      const { slots, gens, tfs, length } = postings;
      const current = this.#gens;
      for (let i = 0; i < length; i++) {
        const slot = slots[i]!;
        if (gens[i] !== current[slot]) continue;
        const tf = tfs[i]!;
        const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B) + B * norm * lengths[slot]!);
        const cur = into[slot]!;
        if (cur === 0) list.push(slot);
        into[slot] = combine === "sum" ? cur + s : Math.max(cur, s);
      }
    };
    for (const t of query.terms) if (t !== query.prefix) each(t, scores, "sum", touched);
    if (query.prefix !== null) {
      // The last term counts once per document: its best-scoring completion (itself included).
      const best = this.#best;
      const prefixed: number[] = [];
      for (const t of this.#expand(query.prefix)) each(t, best, "max", prefixed);
      for (const slot of prefixed) {
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] += best[slot]!;
        best[slot] = 0;
      }
    }
    const wanted = filters.map(([field, key]) => [this.definition.filterFields.indexOf(field), key] as const);
    const top = new TopK(limit);
    for (const slot of touched) {
      const score = scores[slot]!;
      scores[slot] = 0;
      if (wanted.length > 0) {
        const f = this.#filters[slot]!;
        let ok = true;
        for (const [position, key] of wanted) if (f[position] !== key) ok = false;
        if (!ok) continue;
      }
      top.offer(slot, score, this.#ctimes[slot]!);
    }
    return top.drain().map((h) => ({ id: this.#ids[h.slot]!, score: h.score }));
  }

  /**
   * The BM25 score a document would get with the index's current statistics (0: no match), for
   * documents not in the index yet (a mutation's own writes).
   */
  score(doc: DocumentJSON, query: TextQuery, filters: FilterKeys): number {
    if (!matchesText(doc, this.definition.searchField, query, filters)) return 0;
    const tokens = tokenize(jsonAtPath(doc, this.definition.searchField) as string);
    // The index's own statistics, so the score compares with those of the indexed hits.
    const n = Math.max(1, this.#slotOf.size);
    const avgLength = this.#slotOf.size > 0 ? this.#totalLength / this.#slotOf.size : Math.max(1, tokens.length);
    const termScore = (term: string) => {
      let tf = 0;
      for (const t of tokens) if (t === term) tf++;
      if (tf === 0) return 0;
      const df = Math.max(1, this.#postings.get(term)?.live ?? 0);
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * tokens.length) / avgLength));
    };
    let s = 0;
    for (const t of query.terms) if (t !== query.prefix) s += termScore(t);
    if (query.prefix !== null) {
      let best = 0;
      for (const t of new Set(tokens)) if (t.startsWith(query.prefix)) best = Math.max(best, termScore(t));
      s += best;
    }
    return s;
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
    const df = (t: string) => this.#postings.get(t)?.live ?? 0;
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
