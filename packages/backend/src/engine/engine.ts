/**
 * The engine: resolves functions of the live deployment, runs queries at a snapshot, runs
 * mutations serializably (optimistic concurrency: re-run when a commit since the snapshot wrote
 * into what they read), commits their writes, and tells listeners what each commit wrote.
 */
import { createLogger, isTandemError, TandemError, type Logger } from "@tandem/shared";
import {
  decodeId,
  type ConvexJSON,
  type DocumentJSON,
  type Storage,
  type Timestamp,
} from "@tandem/storage";
import type { ValidationContext } from "../values/index.js";
import { checkArguments, checkArgsMatch, checkReturnValue } from "../runtime/function_checks.js";
import { Transaction } from "../transactions/transaction.js";
import type { Catalog } from "../transactions/catalog.js";
import { LoadedDeployment, type ResolvedFunction } from "../runtime/loaded_deployment.js";
import { WorkerPool } from "../runtime/worker/pool.js";
import { NO_PREPARED_WRITES } from "../runtime/worker/protocol.js";
import { ActionPool } from "../runtime/worker/action_pool.js";
import { UDF_TIMEOUT_MS } from "../runtime/invoke.js";
import { makeDocumentCheck } from "../runtime/document_check.js";
import type { DocumentCheck } from "../runtime/db_ops.js";
import type { FileAccess, FilesThreadConfig, StorageCall, StorageCallResult } from "../files/index.js";
import { analyzeModules } from "../runtime/analyze.js";
import { displayPath, type FunctionPath } from "../runtime/paths.js";
import { Mutex } from "./mutex.js";
import { Committer, type CommitMeta, type Committed, type ExecutedTransaction } from "./committer.js";
import { runFunction, type RunOutput } from "./execute.js";
import type { Analysis, Deployment, FunctionMetadata, ModuleSource } from "./deployment.js";
import type {
  ActionRequest,
  CommitNotice,
  Engine,
  EngineAdmin,
  ExecutionLog,
  FunctionKind,
  Identity,
  MutationRequest,
  QueryRequest,
  SystemFunction,
  SystemFunctionRegistry,
} from "./types.js";

export interface EngineOptions {
  readonly storage: Storage;
  readonly logger?: Logger;
  /** Deployment name reported by `ctx.meta` and `/instance_name`. */
  readonly name?: string;
  /** OCC retries before a mutation fails (Convex: 4). */
  readonly maxRetries?: number;
  /**
   * Run queries and mutations in worker threads reading the same SQLite file (so a function that
   * never yields is stopped by terminating its thread). Inline in this thread when absent.
   */
  readonly workers?: { readonly sqlitePath: string; readonly count?: number };
  /** `ctx.storage`: what function threads need, and the engine-thread side actions call. */
  readonly files?: {
    readonly thread: FilesThreadConfig;
    readonly access: FileAccess;
    call(c: StorageCall): Promise<StorageCallResult>;
  };
}

export type TandemEngine = Engine & EngineAdmin & SystemFunctionRegistry & {
  /** Number of OCC re-executions so far (tests and benchmarks). */
  readonly occRetries: number;
  /** Function worker threads replaced after a time-limit overrun. */
  readonly workersReplaced: number;
  readonly storage: Storage;
  kindOf(path: string): FunctionKind | null;
};

const MUTATION_META = (sessionId: string, requestId: number) => `mutation/${sessionId}/${requestId}`;

export function createEngine(options: EngineOptions): TandemEngine {
  const storage = options.storage;
  const log = options.logger ?? createLogger("engine");
  const name = options.name ?? "tandem";
  const maxRetries = options.maxRetries ?? 4;
  const committer = new Committer(storage);
  const udfMutex = new Mutex();
  const commitListeners = new Set<(n: CommitNotice) => void>();
  const execListeners = new Set<(l: ExecutionLog) => void>();
  const systemFunctions = new Map<string, SystemFunction>();
  let live: LoadedDeployment | null = null;
  let env: Record<string, string> = {};
  let occRetries = 0;
  /** Bumped when tables or indexes change, so workers reload their catalog. */
  let catalogVersion = 0;

  const catalog: Catalog = {
    tables: () => storage.tables(),
    tableByNumber: (n) => storage.tableByNumber(n),
    indexes: (t) => storage.indexes(t),
    ensureTable: async (t) => {
      const existed = storage.tables().some((x) => x.name === t);
      const info = await storage.ensureTable(t);
      if (!existed) catalogVersion += 1;
      return info;
    },
    newId: (t) => storage.newId(t),
  };
  const filesData = options.files ? { files: options.files.thread } : {};
  const storageCall = options.files ? { storage: options.files.call.bind(options.files) } : {};
  const pool = options.workers
    ? new WorkerPool({
        data: { storage: { kind: "sqlite", path: options.workers.sqlitePath }, deploymentName: name, ...filesData },
        count: options.workers.count ?? 2,
        userLimitMs: UDF_TIMEOUT_MS,
        // The user limit plus grace for a loaded machine (the thread is replaced past this).
        jobTimeoutMs: UDF_TIMEOUT_MS + 2000,
        ensureTable: (t) => catalog.ensureTable(t),
        logger: log,
      })
    : null;
  const actionPool = options.workers
    ? new ActionPool({
        // No file config here: actions reach `ctx.storage` through `storage` below.
        data: { storage: { kind: "sqlite", path: options.workers.sqlitePath }, deploymentName: name },
        count: 1,
        blockedAfterMs: 5000,
        actionTimeoutMs: 600_000,
        engine: {
          runQuery: (r) => engine.runQuery(r),
          runMutation: (r) => engine.runMutation(r),
          runAction: (r) => engine.runAction(r),
          ...storageCall,
        },
        logger: log,
      })
    : null;
  const validationContext: ValidationContext = {
    tableNumberToName: (n) => storage.tableByNumber(n as never)?.name,
    decodeId: (id) => decodeId(id),
  };

  let documentCheck: { version: string | null; check: DocumentCheck } = { version: null, check: () => {} };
  function checkDocument(table: string, doc: DocumentJSON): void {
    const version = live?.deployment.version ?? null;
    if (documentCheck.version !== version)
      documentCheck = { version, check: live ? makeDocumentCheck(live.deployment.analysis, validationContext) : () => {} };
    documentCheck.check(table, doc);
  }

  function requireDeployment(): LoadedDeployment {
    if (!live) throw new TandemError("BadRequest", "NoDeployment", "No functions have been pushed to this deployment yet. Run `npx convex dev`.");
    return live;
  }

  function emit(kind: FunctionKind, path: string, started: number, out: { ok: boolean; logLines: readonly string[]; error?: { message: string } }) {
    if (execListeners.size === 0) return;
    const entry: ExecutionLog = {
      kind,
      identifier: path,
      timestamp: Date.now() / 1000,
      executionTimeSeconds: (performance.now() - started) / 1000,
      logLines: out.logLines,
      error: out.ok ? null : (out.error?.message ?? "error"),
    };
    for (const l of execListeners) l(entry);
  }

  /** Argument checks common to every kind; returns the resolved function. */
  function prepare(kind: FunctionKind, path: string, args: ConvexJSON, allowInternal: boolean) {
    const dep = requireDeployment();
    const fn = dep.resolve(path, kind, allowInternal);
    // Function threads check queries' and mutations' arguments (and return values) themselves.
    if (!pool || kind === "action") checkArguments(fn.meta, args, validationContext);
    return { dep, fn };
  }

  const callbacks = {
    runQuery: (r: QueryRequest) => engine.runQuery(r),
    runMutation: (r: MutationRequest) => engine.runMutation(r),
    runAction: (r: ActionRequest) => engine.runAction(r),
    ...storageCall,
  };

  async function execute(
    dep: LoadedDeployment,
    path: FunctionPath,
    kind: FunctionKind,
    args: ConvexJSON,
    identity: Identity,
    /** Made when the realm is acquired, so an inline mutation reads the latest commit. */
    makeTx: (() => Transaction) | null,
    meta: FunctionMetadata,
    journal?: string | null,
    /** Runs while the realm is still held: mutations commit here, so they never interleave. */
    then?: (out: RunOutput) => Promise<RunOutput>,
  ): Promise<RunOutput> {
    const run = () =>
      runFunction({
        deployment: dep,
        path,
        kind,
        args,
        identity,
        tx: makeTx ? makeTx() : null,
        env,
        check: checkDocument,
        engine: callbacks,
        deploymentName: name,
        journal: journal ?? null,
        files: options.files?.access ?? null,
        resolveNested: (k, p, a) => {
          const target = dep.resolve(p, k, true);
          checkArgsMatch(target.meta, a, validationContext);
          return target.path;
        },
      });
    const checked = async (): Promise<RunOutput> => {
      const out = checkReturnValue(meta, await run(), validationContext);
      return then ? then(out) : out;
    };
    return kind === "action" ? checked() : udfMutex.run(checked);
  }

  function failure<T extends object>(e: unknown, extra: T) {
    // Errors we did not word for clients (database, bugs) are logged, not shown.
    const internal = !isTandemError(e) || e.kind === "Internal";
    if (internal) log.error("function execution failed", { error: e });
    const message = internal ? "Server Error: an internal error occurred while running this function." : (e as Error).message;
    return { ok: false as const, error: { message }, logLines: [] as string[], ...extra };
  }

  async function systemCall(kind: FunctionKind, path: string, args: ConvexJSON, identity: Identity) {
    const key = path.replace(/\.js(?=:|$)/, "");
    const fn = systemFunctions.get(key) ?? systemFunctions.get(key.replace(/:default$/, ""));
    if (!fn || fn.kind !== kind) throw new TandemError("BadRequest", "FunctionNotFound", `Could not find function for '${key}'.`);
    if (identity.kind !== "admin") throw new TandemError("Forbidden", "Unauthorized", "You do not have permission to perform this operation.");
    return fn.handler(args, { identity });
  }

  /**
   * Runs a query or mutation body in a function worker (when configured) or inline, then checks
   * its return value. `afterRun` sees the outcome and what it read and wrote; mutations commit
   * there (inline, while still holding the realm).
   */
  async function runUdf(
    kind: "query" | "mutation",
    dep: LoadedDeployment,
    fn: ResolvedFunction,
    args: ConvexJSON,
    identity: Identity,
    ts: Timestamp,
    beginMs: number,
    journal: string | null,
    afterRun: ((out: RunOutput, tx: ExecutedTransaction) => Promise<void>) | null,
    urgent = false,
  ): Promise<{ out: RunOutput; tx: ExecutedTransaction }> {
    if (pool) {
      const r = await pool.run({ kind, path: fn.path, args, identity, ts, beginMs, journal, catalogVersion }, urgent);
      const out: RunOutput = r.out;
      const tx: ExecutedTransaction = { ts, readSet: r.readSet, prepared: r.prepared };
      if (afterRun) await afterRun(out, tx);
      return { out, tx };
    }
    let live: Transaction | null = null;
    const makeTx = () =>
      (live = new Transaction(storage.snapshot(kind === "mutation" ? storage.latestTs() : ts), catalog, { readOnly: kind === "query", beginMs }));
    let executed: ExecutedTransaction = { ts, readSet: [], prepared: NO_PREPARED_WRITES };
    const out = await execute(dep, fn.path, kind, args, identity, makeTx, fn.meta, journal, async (o) => {
      const t = live as Transaction | null;
      if (t) executed = { ts: t.ts, readSet: t.readSet, prepared: o.ok && t.hasWrites() ? await storage.prepare(t.writes()) : NO_PREPARED_WRITES };
      if (afterRun) await afterRun(o, executed);
      return o;
    });
    return { out, tx: executed };
  }

  /** The idempotency record of a sync-protocol mutation, written in the same commit. */
  function commitMeta(key: string | null, out: RunOutput & { ok: true }): CommitMeta {
    // A re-sent mutation answers with the latest ts, which is ≥ this commit's.
    return key ? [[key, JSON.stringify({ value: out.value, logLines: out.logLines })]] : [];
  }

  const engine: TandemEngine = {
    get occRetries() {
      return occRetries;
    },
    get workersReplaced() {
      return (pool?.replaced ?? 0) + (actionPool?.replaced ?? 0);
    },
    storage,
    latestTs: () => storage.latestTs(),
    kindOf: (path) => {
      if (path.startsWith("_system/")) return systemFunctions.get(path.replace(/\.js(?=:|$)/, ""))?.kind ?? null;
      return live?.kindOf(path) ?? null;
    },

    async runQuery(req) {
      const started = performance.now();
      const ts = req.ts ?? storage.latestTs();
      if (req.path.startsWith("_system/")) {
        try {
          const value = await systemCall("query", req.path, req.args, req.identity);
          return { ok: true, value, logLines: [], ts, readSet: [], journal: null };
        } catch (e) {
          return failure(e, { ts, readSet: [], journal: null });
        }
      }
      try {
        const { dep, fn } = prepare("query", req.path, req.args, req.allowInternal ?? false);
        const { out, tx } = await runUdf("query", dep, fn, req.args, req.identity, ts, Number(ts / 1_000_000n), req.journal ?? null, null);
        emit("query", displayPath(fn.path), started, out);
        return { ...out, ts, readSet: tx.readSet };
      } catch (e) {
        return failure(e, { ts, readSet: [], journal: null });
      }
    },

    async runMutation(req) {
      const started = performance.now();
      if (req.path.startsWith("_system/")) {
        try {
          const value = await systemCall("mutation", req.path, req.args, req.identity);
          return { ok: true, value, logLines: [], ts: storage.latestTs() };
        } catch (e) {
          return failure(e, { ts: null });
        }
      }
      const key = req.idempotencyKey ? MUTATION_META(req.idempotencyKey.sessionId, req.idempotencyKey.requestId) : null;
      try {
        if (key) {
          const prior = await storage.getMeta(key);
          if (prior) {
            const p = JSON.parse(prior) as { value: ConvexJSON; logLines: string[] };
            return { ok: true, value: p.value, logLines: p.logLines, ts: storage.latestTs() };
          }
        }
        const { dep, fn } = prepare("mutation", req.path, req.args, req.allowInternal ?? false);
        for (let attempt = 0; ; attempt++) {
          const box: { committed: Committed | null } = { committed: null };
          // After a conflict, a retry runs with commits held back, so it cannot conflict again:
          // hot documents still make progress. (Inline execution is serial and never conflicts.)
          const exclusive = pool !== null && attempt > 0;
          const attemptOnce = () =>
            runUdf(
              "mutation",
              dep,
              fn,
              req.args,
              req.identity,
              storage.latestTs(),
              Date.now(),
              null,
              async (o, t) => {
                if (o.ok) box.committed = exclusive ? await committer.commitLocked(t, commitMeta(key, o)) : await committer.commit(t, commitMeta(key, o));
              },
              // It holds the commit lock: don't make every other commit wait behind the queue.
              exclusive,
            );
          const { out, tx } = exclusive ? await committer.mutex.run(attemptOnce) : await attemptOnce();
          if (!out.ok) {
            emit("mutation", displayPath(fn.path), started, out);
            return { ok: false, error: out.error, logLines: out.logLines, ts: null };
          }
          const done = box.committed;
          if (done) {
            // Even a commit that wrote only its idempotency record has a new ts the client waits for.
            notify(done.ts, done.indexWrites);
            emit("mutation", displayPath(fn.path), started, out);
            return { ok: true, value: out.value, logLines: out.logLines, ts: done.ts };
          }
          occRetries += 1;
          if (attempt >= maxRetries) {
            const table = tx.prepared.writes[0]?.table ?? "unknown";
            return failure(
              new TandemError(
                "Unavailable",
                "OptimisticConcurrencyControlFailure",
                `Documents read from or written to the "${table}" table changed while this mutation was being run and on every subsequent retry. Another call to this mutation changed the document with ID "${tx.prepared.writes[0]?.id ?? ""}". See https://docs.convex.dev/error#1`,
              ),
              { ts: null },
            );
          }
          await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000) * Math.random()));
        }
      } catch (e) {
        return failure(e, { ts: null });
      }
    },

    async runAction(req) {
      const started = performance.now();
      if (req.path.startsWith("_system/")) {
        try {
          return { ok: true, value: await systemCall("action", req.path, req.args, req.identity), logLines: [] };
        } catch (e) {
          return failure(e, {});
        }
      }
      try {
        const { dep, fn } = prepare("action", req.path, req.args, req.allowInternal ?? false);
        let out: RunOutput;
        if (actionPool) {
          out = checkReturnValue(fn.meta, await actionPool.run({ path: fn.path, args: req.args, identity: req.identity }), validationContext);
        } else {
          out = await execute(dep, fn.path, "action", req.args, req.identity, null, fn.meta);
        }
        emit("action", displayPath(fn.path), started, out);
        return out.ok ? { ok: true, value: out.value, logLines: out.logLines } : { ok: false, error: out.error, logLines: out.logLines };
      } catch (e) {
        return failure(e, {});
      }
    },

    onCommit(listener) {
      commitListeners.add(listener);
      return () => commitListeners.delete(listener);
    },

    async analyze(modules: readonly ModuleSource[], vars: Readonly<Record<string, string>>): Promise<Analysis> {
      return analyzeModules(modules, vars);
    },
    async deploy(deployment: Deployment) {
      const changed = live !== null && live.deployment.version !== deployment.version;
      live = new LoadedDeployment(deployment);
      if (changed) notifyAll();
      catalogVersion += 1;
      pool?.deploy(deployment);
      actionPool?.deploy(deployment);
    },
    current: () => live?.deployment ?? null,
    setEnvironment(vars) {
      const changed = JSON.stringify(vars) !== JSON.stringify(env);
      env = { ...vars };
      if (changed) notifyAll();
      pool?.setEnvironment(env);
      actionPool?.setEnvironment(env);
    },
    async commitExternal(request) {
      const { stored, committed } = await committer.external(request);
      notify(committed.ts, committed.indexWrites);
      return stored;
    },
    catalogChanged() {
      catalogVersion += 1;
    },
    onExecution(listener) {
      execListeners.add(listener);
      return () => execListeners.delete(listener);
    },
    registerSystemFunction(path, fn) {
      systemFunctions.set(path.replace(/\.js(?=:|$)/, ""), fn);
    },
    async close() {
      await pool?.close();
      await actionPool?.close();
      commitListeners.clear();
      execListeners.clear();
    },
  };

  /** Code or env changed: subscriptions re-run at the current ts. */
  function notifyAll(): void {
    const notice: CommitNotice = { ts: storage.latestTs(), writes: [], all: true };
    for (const l of commitListeners) {
      try {
        l(notice);
      } catch (e) {
        log.error("commit listener failed", { error: e });
      }
    }
  }

  function notify(ts: Timestamp, indexWrites: readonly { index: number; oldKey: Uint8Array | null; newKey: Uint8Array | null }[]) {
    const writes: { index: number; key: Uint8Array }[] = [];
    for (const w of indexWrites) {
      if (w.oldKey) writes.push({ index: w.index, key: w.oldKey });
      if (w.newKey) writes.push({ index: w.index, key: w.newKey });
    }
    const notice: CommitNotice = { ts, writes };
    for (const l of commitListeners) {
      try {
        l(notice);
      } catch (e) {
        log.error("commit listener failed", { error: e });
      }
    }
  }

  return engine;
}
