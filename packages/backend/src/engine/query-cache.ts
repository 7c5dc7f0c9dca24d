/**
 * Query results kept for reuse (Convex's query cache): a successful result of a query function is
 * kept under its function, arguments, identity and journal, with the snapshot it read (`ts`) and
 * what it read (its read set). A later call at snapshot T reuses it when `ts ≤ T` and no commit in
 * (`ts`, T] wrote into that read set — the commit log answers, and when it no longer reaches back
 * to `ts` the result is not reused. New code, environment variables or tables empty the cache.
 * A query that read the clock is reused only while it is younger than `TIME_DEPENDENT_MAX_AGE_MS`,
 * as on Convex (its `Date.now()` was the time it ran; no commit tells when that grows stale).
 *
 * Bounded by entries and by bytes, least recently used first out (a `Map` keeps insertion order;
 * a hit moves its entry to the end).
 */
import type { ConvexJSON, KeyRange, Timestamp } from "@tandem/storage";
import { unreachable } from "@tandem/shared";
import type { ResolvedFunction } from "../runtime/loaded-deployment.js";
import type { Identity } from "./types.js";

export interface QueryCacheOptions {
  /** Most results kept (default `DEFAULT_QUERY_CACHE.maxEntries`). */
  readonly maxEntries?: number;
  /** Most bytes kept, results, keys and read sets together, roughly (default `DEFAULT_QUERY_CACHE.maxBytes`). */
  readonly maxBytes?: number;
}

/**
 * 8,192 entries: an entry costs about a kilobyte beside its result (key, read set, map slot), so
 * the count alone holds ~8 MiB, and a typical app's hot set (pages × visitors' distinct arguments)
 * fits. 64 MiB of results: a small share of a server's memory, and enough for a few thousand
 * 100-document pages (~9 KiB each). A result over an eighth of the bytes is not kept, so one large
 * result cannot push out everything else (it is still answered, by running the query).
 */
export const DEFAULT_QUERY_CACHE = { maxEntries: 8192, maxBytes: 64 * 1024 * 1024 } as const;

/**
 * Convex's bound for results that read the clock: its query time limits (1 s user, 15 s system)
 * and one second more.
 */
export const TIME_DEPENDENT_MAX_AGE_MS = 17_000;

/** A reused result, as the engine answers it. */
export interface CachedResult {
  /** The value as the JSON text the function produced. */
  readonly json: string;
  readonly readSet: readonly KeyRange[];
  readonly journal: string | null;
  /** When the run that read the clock began (ms); null when it did not read it. */
  readonly clockReadAt?: number | null;
}

export interface QueryCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
  /** Results dropped to stay within the bounds. */
  readonly evictions: number;
}

interface Entry extends CachedResult {
  /** The snapshot the query read: the result is valid from here. */
  readonly ts: Timestamp;
  /** Known valid up to here (no commit in (`ts`, `checkedTo`] wrote into the read set). */
  checkedTo: Timestamp;
  readonly bytes: number;
}

/** Map slot, entry object, timestamps: counted per entry beside the strings and keys. */
const ENTRY_OVERHEAD = 160;
/** A key range object with its two key arrays. */
const RANGE_OVERHEAD = 96;

/**
 * Who calls, as far as a query can tell: `ctx.auth.getUserIdentity()` sees the attributes. Their
 * key order is kept (a function could observe it), as is the arguments'.
 */
function identityKey(identity: Identity): string {
  switch (identity.kind) {
    case "none":
    case "admin":
      return identity.kind;
    case "impersonated":
    case "user":
      return `${identity.kind}:${JSON.stringify(identity.attributes)}`;
    default:
      return unreachable(identity);
  }
}

function sizeOf(key: string, r: CachedResult): number {
  let bytes = ENTRY_OVERHEAD + key.length + r.json.length + (r.journal?.length ?? 0);
  for (const range of r.readSet) bytes += RANGE_OVERHEAD + range.start.byteLength + (range.end?.byteLength ?? 0);
  return bytes;
}

export class QueryCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #unchanged: (readSet: readonly KeyRange[], since: Timestamp, until: Timestamp) => boolean;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #generation = 0;

  /** `unchanged`: whether every commit in (since, until] is known and none wrote into `readSet`. */
  constructor(
    options: QueryCacheOptions,
    unchanged: (readSet: readonly KeyRange[], since: Timestamp, until: Timestamp) => boolean,
  ) {
    this.#maxEntries = options.maxEntries ?? DEFAULT_QUERY_CACHE.maxEntries;
    this.#maxBytes = options.maxBytes ?? DEFAULT_QUERY_CACHE.maxBytes;
    this.#unchanged = unchanged;
  }

  /**
   * Bumped by `flush`: a run that started before it must not store its result (it may have run
   * the old code or seen the old variables).
   */
  get generation(): number {
    return this.#generation;
  }

  /**
   * The key of a call; null when it is not kept (arguments that don't print as JSON). The
   * arguments' JSON text as sent, key order included: a function sees that order, so only the
   * same text is the same call.
   */
  key(fn: ResolvedFunction, args: ConvexJSON, identity: Identity, journal: string | null): string | null {
    let argsText: string;
    try {
      argsText = JSON.stringify(args);
    } catch {
      return null;
    }
    // JSON-quoted parts cannot run into each other.
    return `${JSON.stringify(fn.component ?? "")}${JSON.stringify(`${fn.path.module}:${fn.path.name}`)}${JSON.stringify(identityKey(identity))}${JSON.stringify(journal)}${argsText}`;
  }

  /**
   * The result kept under `key` when it is valid at snapshot `ts` (which must be ≤ this node's
   * head) and, if it read the clock, still young at `nowMs`.
   */
  lookup(key: string, ts: Timestamp, nowMs: number): CachedResult | null {
    const e = this.#entries.get(key);
    if (!e || e.ts > ts) {
      // A result read later than `ts` is not answered for an older snapshot (it may not hold then).
      this.#misses++;
      return null;
    }
    const readAt = e.clockReadAt ?? null;
    if (readAt !== null && (nowMs - readAt > TIME_DEPENDENT_MAX_AGE_MS || nowMs < readAt)) {
      this.#remove(key, e);
      this.#misses++;
      return null;
    }
    if (ts > e.checkedTo) {
      if (!this.#unchanged(e.readSet, e.checkedTo, ts)) {
        // Written into (or no longer known): it holds for no later snapshot either.
        this.#remove(key, e);
        this.#misses++;
        return null;
      }
      e.checkedTo = ts;
    }
    this.#entries.delete(key);
    this.#entries.set(key, e);
    this.#hits++;
    return e;
  }

  /** Keeps a successful result read at `ts`, unless the cache was flushed since `generation`. */
  store(key: string, generation: number, ts: Timestamp, result: CachedResult): void {
    if (generation !== this.#generation) return;
    const old = this.#entries.get(key);
    // A newer result (a run at a later snapshot finished first) is worth more to later callers.
    if (old && old.ts > ts) return;
    const bytes = sizeOf(key, result);
    if (old) this.#remove(key, old);
    if (bytes > this.#maxBytes / 8) return;
    const e: Entry = {
      json: result.json,
      readSet: result.readSet,
      journal: result.journal,
      clockReadAt: result.clockReadAt ?? null,
      ts,
      checkedTo: ts,
      bytes,
    };
    this.#entries.set(key, e);
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const [oldestKey, oldest] = this.#entries.entries().next().value as [string, Entry];
      this.#remove(oldestKey, oldest);
      this.#evictions++;
    }
  }

  /** Drops everything (new code, variables or tables); runs under way then keep nothing. */
  flush(): void {
    this.#generation++;
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): QueryCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#entries.size,
      bytes: this.#bytes,
      evictions: this.#evictions,
    };
  }

  #remove(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }
}
