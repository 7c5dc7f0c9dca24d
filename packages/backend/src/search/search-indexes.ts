/**
 * The text and vector indexes of the live schema, held in memory on the engine's thread.
 *
 * Why in memory: postings as rows in the store would multiply every write by the number of terms
 * and make a query read thousands of rows; an in-memory index answers in microseconds and is
 * rebuilt from the store (the source of truth) whenever the process starts or the schema changes.
 * It only uses the `Storage` interface — a snapshot scan to build, `get` to refresh — so it works
 * over any storage dialect.
 *
 * How it stays current: every commit reports the `by_creation_time` keys it wrote (old and new,
 * even when unchanged), which contain the ids of every written document. Those ids are marked
 * dirty and re-read from the latest snapshot before the next search of that table. Searches see
 * the latest state; the function thread then reads each hit at its own snapshot and drops hits that
 * did not match there (see search-stream.ts).
 */
import { type Logger } from "@tandem/shared";
import { badRequest } from "../errors.js";
import { decodeIndexKey, fullRange, rangeAfter, type DocumentId, type Storage } from "@tandem/storage";
import type { SchemaJSON } from "../engine/deployment.js";
import type { CommitNotice } from "../engine/types.js";
import { valueKey } from "./filter-key.js";
import type {
  SearchService,
  TextSearchRequest,
  TextSearchResult,
  VectorSearchRequest,
  VectorSearchResult,
} from "./search-request.js";
import { TextIndex, type TextIndexDefinition } from "./text-index.js";
import { MAX_FILTER_CLAUSES, MAX_SEARCH_RESULTS, parseTextQuery } from "./tokenize.js";
import { VectorIndex, type VectorIndexDefinition } from "./vector-index.js";

const BUILD_BATCH = 2000;
/** More dirty documents than this: rebuilding from a scan beats reading them one by one. */
const REBUILD_ABOVE = 20_000;
/** How long a search waits for the commit notices of its snapshot before going ahead. */
const NOTICE_WAIT_MS = 200;

interface TableDefs {
  readonly text: ReadonlyMap<string, TextIndexDefinition>;
  readonly vector: ReadonlyMap<string, VectorIndexDefinition>;
}

/** The indexes of one table, built and refreshed one operation at a time. */
class TableIndexes {
  readonly text = new Map<string, TextIndex>();
  readonly vector = new Map<string, VectorIndex>();
  dirty = new Set<string>();
  /** Before a build starts, writes need no tracking: the build reads a later snapshot. */
  state: "idle" | "building" | "built" = "idle";
  /** The table's `by_creation_time` index when built: another one means the table was dropped and made again. */
  creationIndex: number | null = null;
  /** A refresh is queued (so commits in a burst share one). */
  refreshQueued = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly table: string,
    readonly defs: TableDefs,
    readonly signature: string,
  ) {}

  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(op, op);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  reset(): void {
    this.text.clear();
    this.vector.clear();
    for (const [name, d] of this.defs.text) this.text.set(name, new TextIndex(d));
    for (const [name, d] of this.defs.vector) this.vector.set(name, new VectorIndex(d));
  }

  put(id: string, doc: Parameters<TextIndex["put"]>[1]): void {
    for (const i of this.text.values()) i.put(id, doc);
    for (const i of this.vector.values()) i.put(id, doc);
  }
}

export class SearchIndexes implements SearchService {
  readonly #storage: Storage;
  readonly #log: Logger;
  readonly #tables = new Map<string, TableIndexes>();
  /** by_creation_time index id → its table; other index ids → null. */
  #creationIndexes = new Map<number, string | null>();
  #notifiedTs = 0n;
  #waiters: Array<() => void> = [];
  readonly #commitNotices: boolean;
  readonly #eagerText: boolean;
  readonly #textOnly: boolean;
  #closed = false;
  /** Called with the documents each commit wrote into a searchable table (function threads' copies). */
  onDirty: ((table: string, ids: readonly string[]) => void) | null = null;

  /**
   * `commitNotices: false` for a copy in a function thread, which hears of commits through
   * `noteDirty` (sent ahead of any job that could read them) instead of `noteCommit`.
   * `eagerText: false` builds a table with only text indexes when first searched, not when the
   * schema goes live. `textOnly` leaves vector indexes out (function threads never serve them).
   */
  constructor(
    storage: Storage,
    log: Logger,
    options: { commitNotices?: boolean; eagerText?: boolean; textOnly?: boolean } = {},
  ) {
    this.#storage = storage;
    this.#log = log;
    this.#commitNotices = options.commitNotices ?? true;
    this.#eagerText = options.eagerText ?? true;
    this.#textOnly = options.textOnly ?? false;
    this.#notifiedTs = storage.latestTs();
  }

  /** The schema went live: indexes it no longer declares go, new or changed ones are backfilled. */
  setSchema(schema: SchemaJSON | null): void {
    const next = new Map<string, TableDefs>();
    for (const t of schema?.tables ?? []) {
      const text = new Map(
        (t.searchIndexes ?? []).map((i) => [
          i.indexDescriptor,
          { searchField: i.searchField, filterFields: [...i.filterFields] },
        ]),
      );
      const vector = new Map(
        (this.#textOnly ? [] : (t.vectorIndexes ?? [])).map((i) => [
          i.indexDescriptor,
          { vectorField: i.vectorField, dimensions: i.dimensions, filterFields: [...i.filterFields] },
        ]),
      );
      if (text.size > 0 || vector.size > 0) next.set(t.tableName, { text, vector });
    }
    for (const name of [...this.#tables.keys()]) if (!next.has(name)) this.#tables.delete(name);
    for (const [name, defs] of next) {
      const signature = JSON.stringify([[...defs.text], [...defs.vector]]);
      if (this.#tables.get(name)?.signature === signature) continue;
      const t = new TableIndexes(name, defs, signature);
      this.#tables.set(name, t);
      // Backfill now, so the first search does not pay for it.
      if (this.#eagerText || defs.vector.size > 0)
        void t
          .run(() => this.#refresh(t))
          .catch(
            (e: unknown) => this.#closed || this.#log.error("search index backfill failed", { table: name, error: e }),
          );
    }
  }

  /** A commit: the documents it wrote are re-read before their table's next search. */
  noteCommit(notice: CommitNotice): void {
    if (notice.ts > this.#notifiedTs) this.#notifiedTs = notice.ts;
    if (this.#tables.size > 0) {
      let written: Map<string, string[]> | null = null;
      for (const w of notice.writes) {
        const table = this.#tableOfCreationIndex(w.index);
        if (table === null || !this.#tables.has(table)) continue;
        const id = decodeIndexKey(w.key)[1];
        if (typeof id !== "string") continue;
        written ??= new Map();
        let ids = written.get(table);
        if (!ids) written.set(table, (ids = []));
        // Old and new keys both name the document: once is enough.
        if (ids[ids.length - 1] !== id) ids.push(id);
      }
      if (written)
        for (const [table, ids] of written) {
          this.noteDirty(table, ids);
          this.onDirty?.(table, ids);
        }
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Stops background work (the store is about to close). */
  close(): void {
    this.#closed = true;
    this.#tables.clear();
  }

  /** Documents of `table` that a commit wrote: re-read before the table's next search. */
  noteDirty(table: string, ids: readonly string[]): void {
    const t = this.#tables.get(table);
    if (!t) return;
    if (t.state !== "idle") for (const id of ids) t.dirty.add(id);
    if (t.state === "idle") return;
    if (t.refreshQueued) return;
    // Applied soon after the commit, so the next search rarely waits for it.
    t.refreshQueued = true;
    setImmediate(() => {
      t.refreshQueued = false;
      if (!this.#closed)
        void t
          .run(() => this.#refresh(t))
          .catch((e: unknown) => this.#closed || this.#log.error("search index refresh failed", { table, error: e }));
    });
  }

  async textSearch(req: TextSearchRequest): Promise<TextSearchResult> {
    const { table, index } = splitIndexName(req.indexName);
    const t = this.#tables.get(table);
    const def = t?.defs.text.get(index);
    if (!t || !def) throw badRequest("IndexNotFound", `Search index ${req.indexName} not found.`);
    const { text, filterKeys } = compileFilters(req, def);
    const query = parseTextQuery(text);
    if (this.#commitNotices) await this.#caughtUp(BigInt(req.ts));
    const limit = Math.max(0, Math.min(MAX_SEARCH_RESULTS, Math.floor(req.limit)));
    const hits = await t.run(async () => {
      await this.#refresh(t);
      const textIndex = t.text.get(index)!;
      const found = textIndex.search(query, filterKeys, limit);
      if (!req.ownWrites?.length) return found;
      // The mutation's own writes replace their stored versions, ranked by the same statistics.
      const own = new Set(req.ownWrites.map((d) => d._id));
      const merged = found.filter((h) => !own.has(h.id));
      for (const doc of req.ownWrites) {
        const score = textIndex.score(doc, query, filterKeys);
        if (score > 0) merged.push({ id: doc._id, score });
      }
      return merged.sort((a, b) => b.score - a.score).slice(0, limit);
    });
    return { table, hits, terms: query.terms, prefix: query.prefix, filterKeys, searchField: def.searchField };
  }

  async vectorSearch(req: VectorSearchRequest): Promise<VectorSearchResult> {
    const { table, index } = splitIndexName(String(req.indexName));
    const t = this.#tables.get(table);
    if (!t || !t.defs.vector.has(index)) throw badRequest("IndexNotFound", `Vector index ${req.indexName} not found.`);
    if (!Array.isArray(req.vector)) throw badRequest("InvalidVector", "`vector` must be an array of numbers.");
    const results = await t.run(async () => {
      await this.#refresh(t);
      return t.vector.get(index)!.search(req.vector, req.limit ?? undefined, req.expressions ?? null);
    });
    return { results };
  }

  /** Builds the table's indexes on first use, then applies the documents written since. */
  async #refresh(t: TableIndexes): Promise<void> {
    const creationIndex = this.#storage.indexes(t.table).find((i) => i.name === "by_creation_time")?.id ?? null;
    const recreated = t.state === "built" && creationIndex !== null && creationIndex !== t.creationIndex;
    if (t.state !== "built" || recreated || t.dirty.size > REBUILD_ABOVE) {
      t.state = "building";
      t.dirty = new Set();
      try {
        await this.#build(t);
      } catch (e) {
        t.state = "idle";
        throw e;
      }
      t.state = "built";
    }
    if (t.dirty.size === 0) return;
    const ids = t.dirty;
    t.dirty = new Set();
    const snap = this.#storage.snapshot();
    for (const id of ids) {
      const doc = await snap.get(id as DocumentId);
      t.put(id, doc && doc.table === t.table ? doc.value : null);
    }
  }

  async #build(t: TableIndexes): Promise<void> {
    const started = performance.now();
    t.reset();
    const find = () => this.#storage.indexes(t.table).find((i) => i.name === "by_creation_time");
    let creation = find();
    if (!creation) {
      // Another connection may have created the table since this one loaded its registry.
      await this.#storage.reload();
      creation = find();
    }
    t.creationIndex = creation?.id ?? null;
    if (!creation) return; // no documents yet; inserts arrive as dirty ids
    const snap = this.#storage.snapshot();
    let range = fullRange(creation);
    let n = 0;
    for (;;) {
      const batch = await snap.scan(range, "asc", BUILD_BATCH);
      for (const e of batch) t.put(e.doc.id, e.doc.value);
      n += batch.length;
      if (batch.length < BUILD_BATCH) break;
      range = rangeAfter(range, batch[batch.length - 1]!.key, "asc");
    }
    this.#log.debug("search indexes built", {
      table: t.table,
      documents: n,
      ms: Math.round(performance.now() - started),
    });
  }

  #tableOfCreationIndex(indexId: number): string | null {
    let table = this.#creationIndexes.get(indexId);
    if (table === undefined) {
      this.#creationIndexes = new Map(
        this.#storage.indexes().map((i) => [i.id as number, i.name === "by_creation_time" ? i.table : null]),
      );
      table = this.#creationIndexes.get(indexId) ?? null;
      // Not an index of the store (e.g. the table markers' virtual index): remember that too.
      this.#creationIndexes.set(indexId, table);
    }
    return table;
  }

  /** Waits (briefly) until the notices of every commit up to `ts` have arrived. */
  async #caughtUp(ts: bigint): Promise<void> {
    const deadline = performance.now() + NOTICE_WAIT_MS;
    while (ts > this.#notifiedTs && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, NOTICE_WAIT_MS);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

function splitIndexName(name: string): { table: string; index: string } {
  const dot = name.indexOf(".");
  if (dot <= 0) throw badRequest("InvalidQuery", `Invalid index name ${JSON.stringify(name)}: expected "table.index".`);
  return { table: name.slice(0, dot), index: name.slice(dot + 1) };
}

/** Checks the serialized filters against the index: one `Search` on its field, `Eq`s on filter fields. */
function compileFilters(
  req: TextSearchRequest,
  def: TextIndexDefinition,
): { text: string; filterKeys: Array<readonly [string, string]> } {
  let text: string | null = null;
  const filterKeys: Array<readonly [string, string]> = [];
  if (!Array.isArray(req.filters)) throw badRequest("InvalidSearchQuery", "Malformed search filters.");
  for (const raw of req.filters) {
    const f = raw as { type?: unknown; fieldPath?: unknown; value?: unknown };
    if (f?.type === "Search") {
      if (text !== null)
        throw badRequest("InvalidSearchQuery", "A search query can only contain one search expression.");
      if (f.fieldPath !== def.searchField)
        throw badRequest(
          "InvalidSearchQuery",
          `Search field ${JSON.stringify(f.fieldPath)} is not the search field of index ${req.indexName} (${def.searchField}).`,
        );
      if (typeof f.value !== "string") throw badRequest("InvalidSearchQuery", "The search text must be a string.");
      text = f.value;
    } else if (f?.type === "Eq") {
      if (typeof f.fieldPath !== "string" || !def.filterFields.includes(f.fieldPath))
        throw badRequest(
          "InvalidSearchQuery",
          `Field ${JSON.stringify(f.fieldPath)} is not a filter field of search index ${req.indexName}.`,
        );
      filterKeys.push([f.fieldPath, valueKey(f.value as never)]);
    } else {
      throw badRequest("InvalidSearchQuery", "Malformed search filter.");
    }
  }
  if (text === null)
    throw badRequest("InvalidSearchQuery", "A search query must contain a search expression (q.search(field, text)).");
  if (filterKeys.length > MAX_FILTER_CLAUSES)
    throw badRequest(
      "InvalidSearchQuery",
      `Search query has ${filterKeys.length} filters; the limit is ${MAX_FILTER_CLAUSES}.`,
    );
  return { text, filterKeys };
}
