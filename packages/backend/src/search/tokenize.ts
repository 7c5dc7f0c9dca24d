/**
 * Tokenization for text search, as Convex does it (a Tantivy "simple" tokenizer + lowercasing):
 * a term is a maximal run of letters and digits, compared case-insensitively. Terms longer than
 * `MAX_TERM_LENGTH` characters are not indexed (nor searched).
 */
import { badRequest } from "../errors.js";

/** Convex's search limits (docs: production/state/limits). */
export const MAX_QUERY_TERMS = 16;
export const MAX_FILTER_CLAUSES = 8;
export const MAX_SEARCH_RESULTS = 1024;
export const MAX_TERM_LENGTH = 32;
/** How many indexed terms a prefix may stand for (the rarest ones go first to keep scores meaningful). */
export const MAX_PREFIX_EXPANSIONS = 1024;

const TERM = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TERM)) {
    const t = m[0].toLowerCase();
    if (t.length <= MAX_TERM_LENGTH) out.push(t);
  }
  return out;
}

/** A parsed search string: its terms, the last of which also matches as a prefix. */
export interface TextQuery {
  readonly terms: readonly string[];
  /** The last term, matched as a prefix of indexed terms (typeahead); null for an empty query. */
  readonly prefix: string | null;
}

export function parseTextQuery(text: string): TextQuery {
  const terms = tokenize(text);
  if (terms.length > MAX_QUERY_TERMS)
    throw badRequest("SearchQueryTooLong", `Search query has ${terms.length} terms; the limit is ${MAX_QUERY_TERMS}.`);
  // A trailing separator ("hel ") means the user finished the word: no prefix expansion.
  const endsInTerm = /[\p{L}\p{N}]$/u.test(text);
  const prefix = endsInTerm && terms.length > 0 ? terms[terms.length - 1]! : null;
  return { terms: [...new Set(terms)], prefix };
}
