/**
 * The engine façade: resolves functions of the live deployment and hands them to the parts that
 * run them — queries at a snapshot (function-runner), mutations serializably (mutation-executor),
 * server-implemented `_system/` functions (system-functions) — and tells listeners what each
 * commit wrote (commit-notifier) and what each execution logged.
 */
import { textOutcome, valueText } from "./text-outcome.js";
import { logIdentifier } from "../components/addresses.js";
import { createLogger, type Logger } from "@tandem/shared";
import type { ConvexJSON, KeyRange, Storage, Timestamp } from "@tandem/storage";
import { checkArgumentLimits, checkArguments } from "../runtime/function-checks.js";
import type { FileAccess, FilesThreadConfig, StorageCall, StorageCallResult } from "../files/index.js";
import { analyzeModules } from "../runtime/analyze.js";

import { Committer, otherCommitWrites, type CommitMeta, type ExecutedTransaction } from "./committer.js";
import { ExecutionLogs, failure } from "./execution-log.js";
import { CommitNotifier } from "./commit-notifier.js";
import { FunctionRunner } from "./function-runner.js";
import { LiveDeployment } from "./live-deployment.js";
import { MutationExecutor } from "./mutation-executor.js";
import { SystemFunctions } from "./system-functions.js";
import type { WorkerOptions } from "./worker-options.js";
import type { Engine, EngineAdmin, FunctionKind, SystemFunctionRegistry } from "./types.js";
import type { HttpActionOutcome, HttpActionRequest } from "../http-actions/types.js";
import type { Deployment } from "./deployment.js";
import { SearchIndexes } from "../search/search-indexes.js";
import { QueryCache, type QueryCacheOptions, type QueryCacheStats } from "./query-cache.js";
import type { DeploymentSigningKey } from "../auth/deployment-jwt.js";

export interface EngineOptions {
  readonly storage: Storage;
  readonly logger?: Logger;
  /** Deployment name reported by `ctx.meta` and `/instance_name`. */
  readonly name?: string;
  /** OCC retries before a mutation fails (Convex: 4). */
  readonly maxRetries?: number;
  /**
   * Run queries and mutations in worker threads, each with its own read-only connection to the
   * same store (so a function that never yields is stopped by terminating its thread). Inline in
   * this thread when absent.
   */
  readonly workers?: WorkerOptions;
  /** `ctx.storage`: what function threads need, and the engine-thread side actions call. */
  readonly files?: {
    readonly thread: FilesThreadConfig;
    readonly access: FileAccess;
    call(c: StorageCall): Promise<StorageCallResult>;
  };
  /**
   * Reuse of query results while what they read is unchanged (engine/query-cache.ts): its bounds,
   * or false to run every query (measuring uncached work). On by default.
   */
  readonly queryCache?: QueryCacheOptions | false;
  /** The deployment's key for `ctx.auth.signJwt` (auth/deployment-jwt.ts); without it mutations cannot sign. */
  readonly signingKey?: DeploymentSigningKey;
}

export type TandemEngine = Engine &
  EngineAdmin &
  SystemFunctionRegistry & {
    /** Number of OCC re-executions so far (tests and benchmarks). */
    readonly occRetries: number;
    /** Function worker threads replaced after a time-limit overrun. */
    readonly workersReplaced: number;
    /** Query results reused and not (all zero when the cache is off). */
    queryCacheStats(): QueryCacheStats;
    readonly storage: Storage;
    kindOf(path: string): FunctionKind | null;
    /** Runs `convex/http.ts`'s router on one request, where actions run. */
    runHttpAction(req: HttpActionRequest): Promise<HttpActionOutcome>;
    /**
     * Commits a transaction made outside any function (the scheduler's state changes), with OCC,
     * and `meta` in the same commit; null on conflict.
     */
    commitChecked(tx: ExecutedTransaction, meta?: CommitMeta): Promise<Timestamp | null>;
    /** Called after each deploy (the scheduler replaces crons). */
    onDeploy(listener: (d: Deployment) => void): () => void;
  };

export function createEngine(options: EngineOptions): TandemEngine {
  const storage = options.storage;
  const files = options.files ?? null;
  const log = options.logger ?? createLogger("engine");
  // A commit waits for the turn's other results only while function threads have jobs (the
  // runner is made below; commits start only once the engine exists).
  const committer = new Committer(storage, () => runner.jobsInFlight > 0);
  const notifier = new CommitNotifier(log, () => storage.tables());
  // Another node's commits, learned when a commit here finds the head moved or when the node
  // follows the log (`CommitFollower`): subscriptions here re-run for them too.
  storage.onOtherCommits((commits) => {
    for (const c of commits) notifier.committed(c.ts, otherCommitWrites(c));
  });
  const system = new SystemFunctions();
  // With function threads, each keeps its own text indexes (fed by `searchDirty`); this copy
  // serves vector search for actions and builds its text indexes only if searched here.
  const search = new SearchIndexes(storage, log, { eagerText: !options.workers });
  notifier.subscribe((n) => search.noteCommit(n));
  const live = new LiveDeployment(storage, search);
  const logs = new ExecutionLogs();
  const deployListeners = new Set<(d: Deployment) => void>();
  const runner = new FunctionRunner({
    storage,
    live,
    logger: log,
    deploymentName: options.name ?? "tandem",
    workers: options.workers,
    engine: {
      runQuery: (r) => engine.runQuery(r),
      runMutation: (r) => engine.runMutation(r),
      runAction: (r) => engine.runAction(r),
      vectorSearch: (r) => search.vectorSearch(r),
      ...(files ? { storage: (c: StorageCall) => files.call(c) } : {}),
    },
    files: files ? { thread: files.thread, access: files.access } : null,
    signingKey: options.signingKey ?? null,
  });
  if (runner.threaded) search.onDirty = (table, ids) => runner.searchDirty(table, ids);
  const mutations = new MutationExecutor({ storage, committer, runner, notifier, maxRetries: options.maxRetries ?? 4 });
  const cache =
    options.queryCache === false
      ? null
      : new QueryCache(options.queryCache ?? {}, (readSet, since, until) =>
          committer.unchangedBetween(readSet, since, until),
        );

  /** Resolves a function of the live deployment; checks its arguments unless a function thread will. */
  function resolve(kind: FunctionKind, path: string, args: ConvexJSON, allowInternal: boolean) {
    const deployment = live.require();
    const fn = deployment.resolve(path, kind, allowInternal);
    if (!runner.threaded || kind === "action") checkArguments(fn.meta, args, live.validation);
    // Copying a value to a thread recurses: hostile nesting must be refused here, not crash it.
    else checkArgumentLimits(args);
    return { deployment, fn };
  }

  /** Mutations and actions read the latest snapshot; nothing subscribes to what they read. */
  const latestReads = () => ({ snapshot: storage.snapshot(), record: () => {} });

  const engine: TandemEngine = {
    get occRetries() {
      return mutations.occRetries;
    },
    get workersReplaced() {
      return runner.replaced;
    },
    queryCacheStats: () => cache?.stats() ?? { hits: 0, misses: 0, entries: 0, bytes: 0, evictions: 0 },
    storage,
    latestTs: () => storage.latestTs(),
    kindOf: (path) => (SystemFunctions.owns(path) ? system.kindOf(path) : (live.loaded?.kindOf(path) ?? null)),

    async runQuery(req) {
      const started = performance.now();
      if (req.fresh && req.ts === undefined && storage.otherWriters) await storage.sync();
      const ts = req.ts ?? storage.latestTs();
      try {
        if (SystemFunctions.owns(req.path)) {
          const readSet: KeyRange[] = [];
          const reads = { snapshot: storage.snapshot(ts), record: (r: KeyRange) => void readSet.push(r) };
          const value = await system.run("query", req.path, req.args, req.identity, reads);
          return { ok: true, value, logLines: [], ts, readSet, journal: null };
        }
        const { deployment, fn } = resolve("query", req.path, req.args, req.allowInternal ?? false);
        const journal = req.journal ?? null;
        // A snapshot past this node's head is not answered from the cache (the log may not know
        // its commits yet); the run then fails as it should.
        const key = cache && ts <= storage.latestTs() ? cache.key(fn, req.args, req.identity, journal) : null;
        if (key !== null) {
          const hit = cache!.lookup(key, ts, Date.now());
          if (hit) {
            // As Convex: a reused result reports no log lines (they were shown when it ran).
            logs.emit("query", logIdentifier(fn), started, { ok: true, logLines: [], cached: true });
            return textOutcome(hit.json, { logLines: [], journal: hit.journal, ts, readSet: hit.readSet });
          }
        }
        const generation = cache?.generation ?? 0;
        // As Convex: a query's `Date.now()` is the time it runs, not its snapshot's (the last
        // commit, which may be long ago).
        const beginMs = Date.now();
        const { out, tx } = await runner.run({
          kind: "query",
          deployment,
          fn,
          args: req.args,
          identity: req.identity,
          ts,
          beginMs,
          journal,
          afterRun: null,
        });
        logs.emit("query", logIdentifier(fn), started, out);
        // Kept as text when the function's text came back (a spread would parse it).
        const json = out.ok ? valueText(out) : undefined;
        if (key !== null && out.ok)
          cache!.store(key, generation, ts, {
            // A small value came back parsed: its text is what a reply would print anyway.
            json: json ?? JSON.stringify(out.value),
            readSet: tx.readSet,
            journal: out.journal,
            clockReadAt: tx.observedTime ? beginMs : null,
          });
        return json !== undefined
          ? textOutcome(json, { logLines: out.logLines, journal: out.journal, ts, readSet: tx.readSet })
          : { ...out, ts, readSet: tx.readSet };
      } catch (e) {
        return failure(log, e, { ts, readSet: [], journal: null });
      }
    },

    async runMutation(req) {
      const started = performance.now();
      try {
        if (SystemFunctions.owns(req.path))
          return {
            ok: true,
            value: await system.run("mutation", req.path, req.args, req.identity, latestReads()),
            logLines: [],
            ts: storage.latestTs(),
          };
        const r = await mutations.run(req, () => resolve("mutation", req.path, req.args, req.allowInternal ?? false));
        if (!r.ran) return { ok: true, value: r.value, logLines: r.logLines, ts: r.ts };
        logs.emit("mutation", logIdentifier(r.fn), started, r.out);
        const { out } = r;
        const json = out.ok ? valueText(out) : undefined;
        if (json !== undefined) return textOutcome(json, { logLines: out.logLines, ts: r.ts });
        return out.ok
          ? { ok: true, value: out.value, logLines: out.logLines, ts: r.ts }
          : { ok: false, error: out.error, logLines: out.logLines, ts: null };
      } catch (e) {
        return failure(log, e, { ts: null });
      }
    },

    async runAction(req) {
      const started = performance.now();
      try {
        if (SystemFunctions.owns(req.path))
          return {
            ok: true,
            value: await system.run("action", req.path, req.args, req.identity, latestReads()),
            logLines: [],
          };
        const { deployment, fn } = resolve("action", req.path, req.args, req.allowInternal ?? false);
        const out = await runner.runAction(deployment, fn, req.args, req.identity);
        logs.emit("action", logIdentifier(fn), started, out);
        return out.ok
          ? { ok: true, value: out.value, logLines: out.logLines }
          : { ok: false, error: out.error, logLines: out.logLines };
      } catch (e) {
        return failure(log, e, {});
      }
    },

    async runHttpAction(req) {
      const started = performance.now();
      const deployment = live.loaded;
      const out: HttpActionOutcome = deployment
        ? await runner.runHttp(deployment, req)
        : { kind: "notFound", logLines: [] };
      if (out.kind !== "notFound")
        logs.emit(
          "httpAction",
          `${req.method} ${new URL(req.url).pathname}`,
          started,
          out.kind === "error" ? { ok: false, ...out } : { ok: true, ...out },
        );
      return out;
    },

    onCommit: (listener) => notifier.subscribe(listener),
    analyze: async (modules, vars, nodePackages) => analyzeModules(modules, vars, nodePackages ?? null),
    async deploy(deployment) {
      search.setSchema(deployment.analysis.schema);
      // Every push (code, schema, components, auth config): results of the old code are dropped,
      // before listeners re-run anything, and again once the threads have the new code (a run
      // dispatched in between may run the old code: it must keep nothing).
      cache?.flush();
      if (live.deploy(deployment)) notifier.everything(storage.latestTs());
      runner.deploy(deployment);
      cache?.flush();
      for (const l of deployListeners) l(deployment);
    },
    current: () => live.loaded?.deployment ?? null,
    setEnvironment(vars) {
      // As for a push: flushed before anything re-runs and once the threads have the variables.
      const changed = live.setEnvironment(vars);
      if (changed) {
        cache?.flush();
        notifier.everything(storage.latestTs());
      }
      runner.setEnvironment(live.env);
      if (changed) cache?.flush();
    },
    async commitChecked(tx, meta = []) {
      const done = await committer.commit(tx, meta);
      if ("conflict" in done) return null;
      notifier.committed(done.ts, done.indexWrites);
      return done.ts;
    },
    onDeploy(listener) {
      deployListeners.add(listener);
      return () => deployListeners.delete(listener);
    },
    async commitExternal(request) {
      const { stored, committed } = await committer.external(request);
      notifier.committed(committed.ts, committed.indexWrites);
      return stored;
    },
    catalogChanged() {
      // Tables created or dropped outside any commit (a dropped one takes its documents along).
      cache?.flush();
      live.catalogVersion += 1;
    },
    onExecution: (listener) => logs.subscribe(listener),
    registerSystemFunction: (path, fn) => system.register(path, fn),
    async close() {
      cache?.flush();
      search.close();
      await runner.close();
      notifier.clear();
      logs.clear();
      deployListeners.clear();
    },
  };
  return engine;
}
