/**
 * Runs a resolved function: queries and mutations in a function thread (when configured) or
 * inline in this thread's shared realm, one at a time; actions in the action thread or a fresh
 * realm. Checks return values, and hands a mutation's outcome to its `afterRun` (the commit)
 * while the realm is still held, so inline mutations never interleave.
 */
import type { Logger } from "@tandem/shared";
import type { ConvexJSON, Storage, Timestamp } from "@tandem/storage";
import { checkArgsMatch, checkReturnValue } from "../runtime/function-checks.js";
import { Transaction } from "../transactions/transaction.js";
import type { LoadedDeployment, ResolvedFunction } from "../runtime/loaded-deployment.js";
import { WorkerPool } from "../runtime/worker/pool.js";
import { NO_PREPARED_WRITES } from "../runtime/worker/protocol.js";
import { ActionPool } from "../runtime/worker/action-pool.js";
import { UDF_TIMEOUT_MS } from "../runtime/invoke.js";
import { Mutex } from "./mutex.js";
import { workerStorage, type WorkerOptions } from "./worker-options.js";
import type { ExecutedTransaction } from "./committer.js";
import { KEEP_TEXT_FROM, runFunction, type RunOutput } from "./execute.js";
import { textOutcome } from "./text-outcome.js";
import type { Deployment } from "./deployment.js";
import type { LiveDeployment } from "./live-deployment.js";
import type { EngineCallbacks } from "../runtime/syscalls.js";
import type { FileAccess, FilesThreadConfig } from "../files/index.js";
import type { Identity } from "./types.js";
import { runHttpAction } from "../http-actions/run-http-action.js";
import type { HttpActionOutcome, HttpActionRequest } from "../http-actions/types.js";
import type { DeploymentSigningKey } from "../auth/deployment-jwt.js";

/** One query or mutation to run. */
export interface RunRequest {
  readonly kind: "query" | "mutation";
  readonly deployment: LoadedDeployment;
  readonly fn: ResolvedFunction;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  /** Snapshot of a query (a mutation reads the latest commit when it starts). */
  readonly ts: Timestamp;
  /** `Date.now()` inside the function. */
  readonly beginMs: number;
  readonly journal: string | null;
  /** Sees the outcome and what it read and wrote; mutations commit here. */
  readonly afterRun: ((out: RunOutput, tx: ExecutedTransaction) => Promise<void>) | null;
  /** Ahead of queued work (a retry holding the commit lock). */
  readonly urgent?: boolean;
}

export interface FunctionRunnerOptions {
  readonly storage: Storage;
  readonly live: LiveDeployment;
  readonly logger: Logger;
  readonly deploymentName: string;
  readonly workers?: WorkerOptions | undefined;
  /** What functions reach through `ctx.runQuery/runMutation/runAction` (actions). */
  readonly engine: EngineCallbacks;
  /** File storage: function threads open it from `thread`; inline queries and mutations use `access`. */
  readonly files: { readonly thread: FilesThreadConfig; readonly access: FileAccess } | null;
  /** What `ctx.auth.signJwt` signs with. */
  readonly signingKey: DeploymentSigningKey | null;
}

export class FunctionRunner {
  readonly #o: FunctionRunnerOptions;
  readonly #pool: WorkerPool | null;
  readonly #actionPool: ActionPool | null;
  readonly #mutex = new Mutex();

  constructor(o: FunctionRunnerOptions) {
    this.#o = o;
    const data = o.workers
      ? { storage: workerStorage(o.workers), deploymentName: o.deploymentName, signingKey: o.signingKey }
      : null;
    this.#pool = data
      ? new WorkerPool({
          data: o.files ? { ...data, files: o.files.thread } : data,
          count: o.workers?.count ?? 2,
          userLimitMs: UDF_TIMEOUT_MS,
          // The user limit plus grace for a loaded machine (the thread is replaced past this).
          jobTimeoutMs: UDF_TIMEOUT_MS + 2000,
          ensureTable: (t) => o.live.catalog.ensureTable(t),
          logger: o.logger,
        })
      : null;
    this.#actionPool = data
      ? new ActionPool({
          data,
          count: 1,
          maxThreads: o.workers?.actions?.maxThreads ?? 4,
          blockedAfterMs: o.workers?.actions?.blockedAfterMs ?? 5000,
          actionTimeoutMs: o.workers?.actions?.timeoutMs ?? 600_000,
          engine: o.engine,
          logger: o.logger,
        })
      : null;
  }

  /** Function threads check arguments themselves; inline runs (and actions) need the engine to. */
  get threaded(): boolean {
    return this.#pool !== null;
  }

  /** Text-search indexes of the function threads: these documents of `table` changed. */
  searchDirty(table: string, ids: readonly string[]): void {
    this.#pool?.searchDirty(table, ids);
  }

  /** Jobs sent to function threads or queued for them, not yet answered (0 without threads). */
  get jobsInFlight(): number {
    return this.#pool?.jobsInFlight ?? 0;
  }

  /** Function threads replaced after a time-limit overrun. */
  get replaced(): number {
    return (this.#pool?.replaced ?? 0) + (this.#actionPool?.replaced ?? 0);
  }

  async run(req: RunRequest): Promise<{ out: RunOutput; tx: ExecutedTransaction }> {
    const { kind, fn, args, identity, ts, beginMs, journal, afterRun } = req;
    const pool = this.#pool;
    if (pool) {
      // The thread takes `ts` as a committed head (it reads no head to check it): a ts past this
      // node's head fails here as it would there (TimestampInFuture), without a round trip.
      if (ts > this.#o.storage.latestTs()) this.#o.storage.snapshot(ts);
      const catalogVersion = this.#o.live.catalogVersion;
      const r = await pool.run(
        { kind, path: fn.path, args, identity, ts, beginMs, journal, catalogVersion, component: fn.component ?? "" },
        req.urgent ?? false,
      );
      const o = r.out;
      // Small values are read parsed (an id, a document); longer ones stay text (execute.ts).
      const out: RunOutput = !o.ok
        ? o
        : !("json" in o)
          ? o
          : o.json.length >= KEEP_TEXT_FROM
            ? textOutcome(o.json, { logLines: o.logLines, journal: o.journal })
            : { ok: true, value: JSON.parse(o.json) as ConvexJSON, logLines: o.logLines, journal: o.journal };
      const tx: ExecutedTransaction = { ts, readSet: r.readSet, prepared: r.prepared, observedTime: r.observedTime };
      if (afterRun) await afterRun(out, tx);
      return { out, tx };
    }
    const storage = this.#o.storage;
    let live: Transaction | null = null;
    const makeTx = () =>
      (live = new Transaction(storage.snapshot(kind === "mutation" ? storage.latestTs() : ts), this.#o.live.catalog, {
        readOnly: kind === "query",
        beginMs,
      }));
    let executed: ExecutedTransaction = { ts, readSet: [], prepared: NO_PREPARED_WRITES };
    const out = await this.#runHere(req.deployment, fn, kind, args, identity, makeTx, journal, async (o) => {
      const t = live as Transaction | null;
      if (t)
        executed = {
          ts: t.ts,
          readSet: t.readSet,
          prepared: o.ok && t.hasWrites() ? await storage.prepare(t.writes()) : NO_PREPARED_WRITES,
          observedTime: t.observedTime,
        };
      if (afterRun) await afterRun(o, executed);
      return o;
    });
    return { out, tx: executed };
  }

  async runAction(
    deployment: LoadedDeployment,
    fn: ResolvedFunction,
    args: ConvexJSON,
    identity: Identity,
  ): Promise<RunOutput> {
    if (this.#actionPool)
      return checkReturnValue(
        fn.meta,
        // The action thread's outcome arrives with its value (a structured clone reads it).
        (await this.#actionPool.run({ path: fn.path, args, identity, component: fn.component ?? "" })) as RunOutput,
        this.#o.live.validation,
      );
    return this.#runHere(deployment, fn, "action", args, identity, null, null, null);
  }

  /** `convex/http.ts`'s router on one request: in the action thread, or here without threads. */
  async runHttp(deployment: LoadedDeployment, req: HttpActionRequest): Promise<HttpActionOutcome> {
    if (this.#actionPool) {
      const { body, ...job } = req;
      return this.#actionPool.runHttp(job, body);
    }
    const { live, engine, deploymentName } = this.#o;
    return runHttpAction({ deployment, request: req, env: live.env, engine, deploymentName });
  }

  /** In this thread: queries and mutations in the shared realm under the mutex, actions in their own. */
  #runHere(
    deployment: LoadedDeployment,
    fn: ResolvedFunction,
    kind: "query" | "mutation" | "action",
    args: ConvexJSON,
    identity: Identity,
    /** Made when the realm is acquired, so an inline mutation reads the latest commit. */
    makeTx: (() => Transaction) | null,
    journal: string | null,
    /** Runs while the realm is still held: mutations commit here. */
    whileHeld: ((out: RunOutput) => Promise<RunOutput>) | null,
  ): Promise<RunOutput> {
    const { live, engine, deploymentName } = this.#o;
    const checked = async (): Promise<RunOutput> => {
      const ran = await runFunction({
        deployment,
        path: fn.path,
        kind,
        args,
        identity,
        tx: makeTx ? makeTx() : null,
        env: live.env,
        check: live.checkDocument,
        engine,
        deploymentName,
        journal,
        files: this.#o.files?.access ?? null,
        signingKey: this.#o.signingKey,
        component: fn.component ?? "",
        resolveNested: (k, p, a, caller) => {
          const target = deployment.resolveCall(p, caller, k);
          checkArgsMatch(target.meta, a, live.validation);
          return target;
        },
      });
      const out = checkReturnValue(fn.meta, ran, live.validation);
      return whileHeld ? whileHeld(out) : out;
    };
    return kind === "action" ? checked() : this.#mutex.run(checked);
  }

  deploy(deployment: Deployment): void {
    this.#pool?.deploy(deployment);
    this.#actionPool?.deploy(deployment);
  }

  setEnvironment(env: Readonly<Record<string, string>>): void {
    this.#pool?.setEnvironment(env);
    this.#actionPool?.setEnvironment(env);
  }

  async close(): Promise<void> {
    await this.#pool?.close();
    await this.#actionPool?.close();
  }
}
