/**
 * Vectors of one vector index, held in memory, searched exactly: every candidate's cosine
 * similarity to the query, best first. Filters are Convex's vector filter expressions (`q.eq` on
 * filter fields, `q.or`). See README.md ("Vector search at scale") for what replaces the scan on
 * tables too large for it.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";
import { jsonAtPath, valueKey } from "./filter-key.js";

export interface VectorIndexDefinition {
  readonly vectorField: string;
  readonly dimensions: number;
  readonly filterFields: readonly string[];
}

export interface VectorHit {
  readonly _id: string;
  readonly _score: number;
}

export const DEFAULT_VECTOR_LIMIT = 10;
export const MAX_VECTOR_LIMIT = 256;

interface Entry {
  readonly unit: Float64Array;
  readonly filters: ReadonlyMap<string, string>;
}

/** A compiled filter: any of these (field, key) equalities (an `$or`), or everything. */
type Clauses = ReadonlyArray<readonly [string, string]> | null;

export class VectorIndex {
  readonly #docs = new Map<string, Entry>();

  constructor(readonly definition: VectorIndexDefinition) {}

  get size(): number {
    return this.#docs.size;
  }

  put(id: string, doc: DocumentJSON | null): void {
    this.#docs.delete(id);
    if (doc === null) return;
    const v = jsonAtPath(doc, this.definition.vectorField);
    // Documents without a vector of the index's dimension are not in the index (as on Convex).
    if (!Array.isArray(v) || v.length !== this.definition.dimensions || !v.every((x) => typeof x === "number")) return;
    const unit = normalize(v as number[]);
    if (!unit) return;
    const filters = new Map<string, string>();
    for (const f of this.definition.filterFields) filters.set(f, valueKey(jsonAtPath(doc, f)));
    this.#docs.set(id, { unit, filters });
  }

  search(vector: readonly number[], limit: number | undefined, expression: ConvexJSON | null): VectorHit[] {
    const k = limit ?? DEFAULT_VECTOR_LIMIT;
    if (!Number.isInteger(k) || k < 1 || k > MAX_VECTOR_LIMIT)
      throw badRequest(
        "InvalidVectorLimit",
        `Vector search limit must be an integer between 1 and ${MAX_VECTOR_LIMIT}, got ${k}.`,
      );
    if (vector.length !== this.definition.dimensions)
      throw badRequest(
        "VectorDimensionMismatch",
        `Vector search query has ${vector.length} dimensions, but the index expects ${this.definition.dimensions}.`,
      );
    if (!vector.every((x) => typeof x === "number" && Number.isFinite(x)))
      throw badRequest("InvalidVector", "Vector search query must contain only finite numbers.");
    const q = normalize(vector);
    if (!q) return [];
    const clauses = this.#compile(expression);
    // Keep the best k in a small array sorted best first; most candidates fail the first compare.
    const best: VectorHit[] = [];
    for (const [id, e] of this.#docs) {
      if (clauses && !clauses.some(([f, key]) => e.filters.get(f) === key)) continue;
      const u = e.unit;
      let dot = 0;
      for (let i = 0; i < u.length; i++) dot += u[i]! * q[i]!;
      if (best.length === k && dot <= best[k - 1]!._score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!._score < dot) at--;
      best.splice(at, 0, { _id: id, _score: dot });
      if (best.length > k) best.pop();
    }
    return best;
  }

  #compile(expr: ConvexJSON | null): Clauses {
    if (expr === null || expr === undefined) return null;
    const out: Array<readonly [string, string]> = [];
    const walk = (e: ConvexJSON): void => {
      if (e && typeof e === "object" && !Array.isArray(e)) {
        if (Array.isArray(e.$or)) {
          for (const x of e.$or) walk(x);
          return;
        }
        if (Array.isArray(e.$eq) && e.$eq.length === 2) {
          const [a, b] = e.$eq;
          const field = (a as { $field?: unknown } | null)?.$field;
          const lit = b as { $literal?: ConvexJSON } | null;
          if (typeof field === "string" && lit && typeof lit === "object" && "$literal" in lit) {
            if (!this.definition.filterFields.includes(field))
              throw badRequest(
                "InvalidVectorFilter",
                `Field ${JSON.stringify(field)} is not a filter field of this vector index.`,
              );
            out.push([field, valueKey(lit.$literal)]);
            return;
          }
        }
      }
      throw badRequest("InvalidVectorFilter", "Vector search filters support only q.eq on filter fields and q.or.");
    };
    walk(expr);
    return out;
  }
}

function normalize(v: readonly number[]): Float64Array | null {
  let norm = 0;
  for (const x of v) norm += x * x;
  if (!(norm > 0)) return null;
  const s = 1 / Math.sqrt(norm);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * s;
  return out;
}
