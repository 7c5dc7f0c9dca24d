/**
 * A test double of the `Engine` contract: an MVCC key/value store in memory (one index per table,
 * keys are UTF-8 strings) with real read sets, serial mutations, idempotency records written in the
 * mutation's own commit, and journals for one paginated read per query. Functions are plain
 * TypeScript handlers, so tests can pause a mutation halfway or count executions.
 */
import type { ConvexJSON, IndexKey, KeyRange, Timestamp } from "@tandem/storage";
import type {
  ActionRequest,
  ActionResult,
  CommitNotice,
  Engine,
  Identity,
  MutationRequest,
  MutationResult,
  QueryRequest,
  QueryResult,
  UserIdentityAttributes,
} from "../../src/engine/types.js";

type Args = Record<string, ConvexJSON>;
const enc = new TextEncoder();

export interface ReadCtx {
  readonly identity: UserIdentityAttributes | null;
  get(table: string, key: string): ConvexJSON | null;
  /** Every row of `table` in key order. */
  list(table: string): Array<{ key: string; value: ConvexJSON }>;
  /** One page after `cursor`; re-runs end at the journal's end cursor (gapless pagination). */
  paginate(
    table: string,
    opts: { cursor: string | null; numItems: number },
  ): { page: Array<{ key: string; value: ConvexJSON }>; continueCursor: string; isDone: boolean };
  log(text: string): void;
}
export interface WriteCtx extends ReadCtx {
  set(table: string, key: string, value: ConvexJSON | null): void;
}
export interface ActionCtx {
  readonly identity: UserIdentityAttributes | null;
  runMutation(path: string, args: Args): Promise<ConvexJSON>;
  runQuery(path: string, args: Args): Promise<ConvexJSON>;
}

export interface MemoryApp {
  queries?: Record<string, (ctx: ReadCtx, args: Args) => ConvexJSON | Promise<ConvexJSON>>;
  mutations?: Record<string, (ctx: WriteCtx, args: Args) => ConvexJSON | Promise<ConvexJSON>>;
  actions?: Record<string, (ctx: ActionCtx, args: Args) => ConvexJSON | Promise<ConvexJSON>>;
}

/** Thrown by handlers to produce a ConvexError-style failure with `data`. */
export class AppError extends Error {
  constructor(
    message: string,
    readonly data?: ConvexJSON,
  ) {
    super(message);
  }
}

export interface MemoryEngine extends Engine {
  /** Executions per canonical path, for tests that count re-runs. */
  readonly runs: Map<string, number>;
  /** Committed mutations per canonical path. */
  readonly commits: Map<string, number>;
  /** Direct write outside any function (test setup). */
  write(table: string, key: string, value: ConvexJSON | null): Promise<Timestamp>;
}

const canonical = (p: string) => {
  const i = p.lastIndexOf(":");
  let mod = i === -1 ? p : p.slice(0, i);
  if (mod.endsWith(".js")) mod = mod.slice(0, -3);
  return `${mod}:${i === -1 ? "default" : p.slice(i + 1)}`;
};

const attrsOf = (id: Identity): UserIdentityAttributes | null =>
  id.kind === "user" || id.kind === "impersonated" ? id.attributes : null;

/** The byte key just after `k`: `[k, after(k))` is the point range of `k`. */
const after = (k: Uint8Array) => {
  const out = new Uint8Array(k.length + 1);
  out.set(k);
  return out;
};

export function createMemoryEngine(app: MemoryApp): MemoryEngine {
  const tables = new Map<
    string,
    { index: number; rows: Map<string, Array<{ ts: bigint; value: ConvexJSON | null }>> }
  >();
  const listeners = new Set<(n: CommitNotice) => void>();
  const idempotency = new Map<string, MutationResult>();
  const runs = new Map<string, number>();
  const commits = new Map<string, number>();
  let latest = 0n;
  let lock: Promise<unknown> = Promise.resolve();

  const table = (name: string) => {
    let t = tables.get(name);
    if (!t) tables.set(name, (t = { index: tables.size + 1, rows: new Map() }));
    return t;
  };
  const at = (versions: Array<{ ts: bigint; value: ConvexJSON | null }> | undefined, ts: bigint) => {
    if (!versions) return null;
    for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.ts <= ts) return versions[i]!.value;
    return null;
  };

  function reader(
    ts: bigint,
    identity: Identity,
    readSet: KeyRange[],
    journal: { end: string | null },
    logLines: string[],
    pending?: Map<string, ConvexJSON | null>,
  ): ReadCtx {
    const read = (name: string, start: Uint8Array, end: Uint8Array | null) =>
      readSet.push({
        index: table(name).index as KeyRange["index"],
        start: start as IndexKey,
        end: end as IndexKey | null,
      });
    const rowsAt = (name: string) => {
      const out = new Map<string, ConvexJSON>();
      for (const [k, v] of table(name).rows) {
        const value = at(v, ts);
        if (value !== null) out.set(k, value);
      }
      for (const [pk, v] of pending ?? []) {
        const [t, k] = JSON.parse(pk) as [string, string];
        if (t !== name) continue;
        if (v === null) out.delete(k);
        else out.set(k, v);
      }
      return [...out]
        .sort(([a], [b]) => Buffer.compare(enc.encode(a), enc.encode(b)))
        .map(([key, value]) => ({ key, value }));
    };
    return {
      identity: attrsOf(identity),
      get(name, key) {
        const k = enc.encode(key);
        read(name, k, after(k));
        const p = pending?.get(JSON.stringify([name, key]));
        if (p !== undefined) return p;
        return at(table(name).rows.get(key), ts);
      },
      list(name) {
        read(name, new Uint8Array(), null);
        return rowsAt(name);
      },
      paginate(name, { cursor, numItems }) {
        const rows = rowsAt(name).filter(
          (r) => cursor === null || Buffer.compare(enc.encode(r.key), enc.encode(cursor)) > 0,
        );
        const start = cursor === null ? new Uint8Array() : after(enc.encode(cursor));
        let page: typeof rows;
        let isDone: boolean;
        if (journal.end !== null) {
          const end = journal.end;
          page = rows.filter((r) => Buffer.compare(enc.encode(r.key), enc.encode(end)) <= 0);
          isDone = page.length === rows.length;
        } else {
          page = rows.slice(0, numItems);
          isDone = page.length === rows.length;
        }
        const last = journal.end ?? (page.length ? page[page.length - 1]!.key : cursor);
        if (isDone && journal.end === null) {
          read(name, start, null);
          journal.end = null;
        } else {
          read(name, start, last === null ? start : after(enc.encode(last)));
          journal.end = last;
        }
        return { page, continueCursor: last ?? "", isDone };
      },
      log: (text) => logLines.push(`[LOG] ${text}`),
    };
  }

  function failure(e: unknown) {
    const message = e instanceof Error ? `Uncaught Error: ${e.message}` : String(e);
    return e instanceof AppError && e.data !== undefined ? { message, data: e.data } : { message };
  }

  /** Applies `writes` at a new timestamp; `record` runs in the same step (idempotency records). */
  async function commit(writes: Map<string, ConvexJSON | null>, record?: (ts: Timestamp) => void): Promise<Timestamp> {
    const now = BigInt(Date.now()) * 1_000_000n;
    const ts = (now > latest ? now : latest + 1n) as Timestamp;
    const notice: Array<{ index: number; key: Uint8Array }> = [];
    for (const [pk, value] of writes) {
      const [name, key] = JSON.parse(pk) as [string, string];
      const t = table(name);
      let versions = t.rows.get(key);
      if (!versions) t.rows.set(key, (versions = []));
      versions.push({ ts, value });
      notice.push({ index: t.index, key: enc.encode(key) });
    }
    record?.(ts);
    latest = ts;
    for (const l of listeners) l({ ts, writes: notice });
    return ts;
  }

  const engine: MemoryEngine = {
    runs,
    commits,
    latestTs: () => latest as Timestamp,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async write(name, key, value) {
      const run = lock.then(() => commit(new Map([[JSON.stringify([name, key]), value]])));
      lock = run.catch(() => {});
      return run;
    },
    async runQuery(req: QueryRequest): Promise<QueryResult> {
      const path = canonical(req.path);
      runs.set(path, (runs.get(path) ?? 0) + 1);
      const ts = (req.ts ?? latest) as Timestamp;
      const readSet: KeyRange[] = [];
      const logLines: string[] = [];
      const journal = { end: req.journal ? (JSON.parse(req.journal) as { end: string | null }).end : null };
      const fn = app.queries?.[path];
      if (!fn)
        return {
          ok: false,
          error: { message: `Could not find public function for '${path}'.` },
          logLines,
          ts,
          readSet,
          journal: null,
        };
      try {
        const value = await fn(reader(ts, req.identity, readSet, journal, logLines), req.args as Args);
        return {
          ok: true,
          value,
          logLines,
          ts,
          readSet,
          journal: journal.end === null ? null : JSON.stringify(journal),
        };
      } catch (e) {
        return { ok: false, error: failure(e), logLines, ts, readSet, journal: null };
      }
    },
    runMutation(req: MutationRequest): Promise<MutationResult> {
      const run = lock.then(async (): Promise<MutationResult> => {
        const key = req.idempotencyKey ? `${req.idempotencyKey.sessionId}/${req.idempotencyKey.requestId}` : null;
        const prior = key ? idempotency.get(key) : undefined;
        if (prior) return prior;
        const path = canonical(req.path);
        runs.set(path, (runs.get(path) ?? 0) + 1);
        const fn = app.mutations?.[path];
        const logLines: string[] = [];
        if (!fn)
          return { ok: false, error: { message: `Could not find public function for '${path}'.` }, logLines, ts: null };
        const pending = new Map<string, ConvexJSON | null>();
        const ctx: WriteCtx = {
          ...reader(latest, req.identity, [], { end: null }, logLines, pending),
          set: (t, k, v) => void pending.set(JSON.stringify([t, k]), v),
        };
        try {
          const value = await fn(ctx, req.args as Args);
          const ts = await commit(pending, (ts) => {
            if (key) idempotency.set(key, { ok: true, value, logLines, ts });
          });
          commits.set(path, (commits.get(path) ?? 0) + 1);
          return { ok: true, value, logLines, ts };
        } catch (e) {
          return { ok: false, error: failure(e), logLines, ts: null };
        }
      });
      lock = run.catch(() => {});
      return run;
    },
    async runAction(req: ActionRequest): Promise<ActionResult> {
      const path = canonical(req.path);
      const fn = app.actions?.[path];
      if (!fn) return { ok: false, error: { message: `Could not find public function for '${path}'.` }, logLines: [] };
      const unwrap = (r: { ok: boolean; value?: ConvexJSON; error?: { message: string } }) => {
        if (!r.ok) throw new Error(r.error!.message);
        return r.value!;
      };
      try {
        const value = await fn(
          {
            identity: attrsOf(req.identity),
            runMutation: async (p, args) => unwrap(await engine.runMutation({ path: p, args, identity: req.identity })),
            runQuery: async (p, args) => unwrap(await engine.runQuery({ path: p, args, identity: req.identity })),
          },
          req.args as Args,
        );
        return { ok: true, value, logLines: [] };
      } catch (e) {
        return { ok: false, error: failure(e), logLines: [] };
      }
    },
  };
  return engine;
}
