/**
 * Runs due jobs of `_scheduled_functions` (docs/semantics.md#scheduled-functions-and-crons). The table is the queue: the executor
 * keeps no state a crash could lose, only which jobs it has in flight.
 *
 * - A mutation job runs as a mutation whose commit also moves its job from `pending` to
 *   `success` (and reads the job, so a concurrent cancel makes it re-run and then abort): it runs
 *   exactly once. A developer error commits nothing and marks the job `failed`.
 * - An action job is marked `inProgress` in its own commit before it starts, so it runs at most
 *   once. That commit also records which node runs it (meta `scheduler/running/<job>`): when
 *   that node is gone — restarted, on SQLite; its lease expired, on a shared database — the job
 *   is marked `failed`, never re-run. Another live node's actions are left alone.
 */
import { pointRange, indexRange, rangeAfter, WRITE_REFUSED, type ConvexJSON, type Storage } from "@tandem/storage";
import type { Logger } from "@tandem/shared";
import type { ExecutedTransaction } from "../engine/committer.js";
import type { Engine, FunctionKind, MutationRequest } from "../engine/types.js";
import { documentIndexKey } from "../transactions/index-key.js";
import type { Clock } from "./clock.js";
import { runSystemTransaction, type Committing } from "./system-transaction.js";
import { byId, displayName, JOBS_TABLE, jobsByState, type JobDocument, type JobState } from "./tables.js";

export type SchedulerEngine = Engine & Committing & { kindOf(path: string): FunctionKind | null };

/** What Convex records for an action that was running when its server went away. */
export const TRANSIENT_ACTION_ERROR = "Transient error while executing action";

export interface ExecutorOptions {
  readonly storage: Storage;
  readonly engine: SchedulerEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Mutation jobs in flight at once. */
  readonly concurrency: number;
  /** Action jobs running at once (separately, so long actions never hold up mutations). */
  readonly actionConcurrency: number;
  /** This node's id, recorded on the actions it runs. */
  readonly nodeId: string;
}

/** The metadata naming the node that runs an `inProgress` action job. */
export const runningKey = (jobId: string) => `scheduler/running/${jobId}`;

const OCC_RETRY_MS = 200;
/** A job whose commit the machine refused (full disk, read-only folder) is tried again this much later. */
const STORAGE_RETRY_MS = 1000;
/** How long finished jobs stay in `_scheduled_functions` (Convex: 7 days, `SCHEDULED_JOB_RETENTION`). */
export const JOB_RETENTION_MS = 7 * 24 * 3_600_000;
const PURGE_BATCH = 256;
/** Pending entries one dispatch pass reads at most. */
const MAX_SCAN = 2048;

export class JobExecutor {
  readonly #o: ExecutorOptions;
  readonly #running = new Set<string>();
  #actionsRunning = 0;
  /** Jobs whose mutation hit the OCC retry limit: tried again after a pause (system errors are retried). */
  readonly #retryAt = new Map<string, number>();
  /** Mutation jobs in flight: a shutdown lets them finish (they are short) rather than fail them. */
  readonly #mutations = new Set<Promise<void>>();
  #closed = false;

  constructor(options: ExecutorOptions) {
    this.#o = options;
  }

  get inFlight(): number {
    return this.#running.size;
  }

  /** Starts no more jobs; resolves when the mutation jobs in flight are done. Running actions are left as they are. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#mutations]);
  }

  /**
   * Marks failed the `inProgress` actions of nodes that are gone: every one but this node's own
   * when `live` is null (one node: any found at start was cut off by a restart), else those whose
   * node is not in `live` (or is unknown). Returns how many.
   */
  async recover(live: ReadonlySet<string> | null): Promise<number> {
    const { storage, engine, clock, nodeId } = this.#o;
    const stuck = await storage.snapshot().scan(indexRange(jobsByState(storage), ["inProgress"]), "asc", 100_000);
    let failed = 0;
    for (const e of stuck) {
      if (this.#running.has(e.doc.id)) continue;
      const owner = await storage.getMeta(runningKey(e.doc.id));
      if (owner === nodeId || (live && owner !== null && live.has(owner))) continue;
      const marked = await runSystemTransaction(storage, engine, async (tx, meta) => {
        const doc = (await tx.get(e.doc.id, JOBS_TABLE)) as JobDocument | null;
        if (doc?.state.kind !== "inProgress") return false;
        await tx.write(
          e.doc.id,
          JOBS_TABLE,
          finished(doc, { kind: "failed", error: TRANSIENT_ACTION_ERROR }, clock.now()),
          doc,
        );
        meta.push([runningKey(e.doc.id), null]);
        return true;
      });
      if (marked) failed += 1;
    }
    return failed;
  }

  /**
   * Starts the due jobs it has room for; returns when the earliest not-yet-due pending job is due
   * (null: none). `onDone` is called as each started job finishes.
   */
  async dispatch(onDone: () => void): Promise<number | null> {
    const { storage, clock, concurrency, actionConcurrency, engine } = this.#o;
    if (this.#closed) return null;
    const now = clock.now();
    const snapshot = storage.snapshot();
    let range = indexRange(jobsByState(storage), ["pending"]);
    let wake: number | null = null;
    // Pages sized to skip the jobs already in flight (still pending until they commit) and find
    // a few more; later pages only when due jobs it could not start were in the way.
    for (let seen = 0; seen < MAX_SCAN;) {
      const size = this.#running.size + 32;
      const page = await snapshot.scan(range, "asc", size);
      seen += page.length;
      for (const e of page) {
        const job = e.doc.value as JobDocument;
        if (this.#running.has(job._id)) continue;
        const retry = this.#retryAt.get(job._id);
        if (retry !== undefined && retry > now) {
          wake = Math.min(wake ?? retry, retry);
          continue;
        }
        if (job.scheduledTime > now) return Math.min(wake ?? job.scheduledTime, job.scheduledTime);
        const isAction = engine.kindOf(displayName(job.name)) === "action";
        const mutationsFull = this.#running.size - this.#actionsRunning >= concurrency;
        const actionsFull = this.#actionsRunning >= actionConcurrency;
        if (mutationsFull && actionsFull) return wake;
        if (isAction ? actionsFull : mutationsFull) continue;
        this.#running.add(job._id);
        if (isAction) this.#actionsRunning += 1;
        void (
          isAction ? this.#runAction(job, displayName(job.name), (job.args[0] ?? {}) as ConvexJSON) : this.#run(job)
        )
          .catch((error: unknown) =>
            this.#o.logger.error("scheduled function could not be run", { error, job: job._id }),
          )
          .finally(() => {
            this.#running.delete(job._id);
            if (isAction) this.#actionsRunning -= 1;
            onDone();
          });
      }
      const last = page[page.length - 1];
      // Reading further only to find actions behind a backlog of mutations would cost every pass
      // a long scan; they are reached as the mutations drain.
      if (!last || page.length < size || this.#running.size - this.#actionsRunning >= concurrency) break;
      range = rangeAfter(range, last.key, "asc");
    }
    return wake;
  }

  /** Deletes jobs finished more than the retention period ago; returns how many. */
  async purge(): Promise<number> {
    const { storage, engine, clock } = this.#o;
    const cutoff = clock.now() - JOB_RETENTION_MS;
    let removed = 0;
    for (const kind of ["success", "failed", "canceled"] as const) {
      for (;;) {
        // In scheduledTime order, which mostly follows completion order (a job canceled long before
        // its time is the exception: it is swept once the jobs scheduled before it are).
        const batch = await storage.snapshot().scan(indexRange(jobsByState(storage), [kind]), "asc", PURGE_BATCH);
        const old = batch.filter((e) => ((e.doc.value as JobDocument).completedTime ?? 0) < cutoff);
        if (old.length === 0) break;
        await runSystemTransaction(storage, engine, async (tx) => {
          for (const e of old) {
            const doc = await tx.get(e.doc.id, JOBS_TABLE);
            if (doc && (doc as JobDocument).state.kind === kind) await tx.write(e.doc.id, JOBS_TABLE, null, doc);
          }
        });
        removed += old.length;
        if (batch.length < PURGE_BATCH) break;
      }
    }
    return removed;
  }

  #run(job: JobDocument): Promise<void> {
    const path = displayName(job.name);
    const args = (job.args[0] ?? {}) as ConvexJSON;
    // Not found (or a query) falls through: the engine answers with Convex's error, recorded as `failed`.
    const run = this.#runMutation(job, path, args);
    this.#mutations.add(run);
    return run.finally(() => this.#mutations.delete(run));
  }

  async #runMutation(job: JobDocument, path: string, args: ConvexJSON): Promise<void> {
    const { storage, engine, clock } = this.#o;
    let aborted = false;
    const req: MutationRequest = {
      path,
      args,
      identity: { kind: "none" },
      allowInternal: true,
      amendCommit: async (tx) => {
        const amended = await withJobState(storage, tx, job._id, (cur) =>
          cur.state.kind === "pending" ? finished(cur, { kind: "success" }, clock.now()) : null,
        );
        if (amended === null) aborted = true;
        return amended ?? "abort";
      },
    };
    const r = await engine.runMutation(req);
    if (r.ok || aborted) {
      this.#retryAt.delete(job._id);
      return;
    }
    if (/OptimisticConcurrencyControlFailure|Documents read from or written to/.test(r.error.message)) {
      this.#retryAt.set(job._id, clock.now() + OCC_RETRY_MS);
      return;
    }
    // A system error, not the function's: marking the job failed would lose it (it has not run).
    if (r.error.message.startsWith(WRITE_REFUSED)) {
      this.#retryAt.set(job._id, clock.now() + STORAGE_RETRY_MS);
      return;
    }
    this.#retryAt.delete(job._id);
    // Failed because the server is shutting down: it stays pending and runs after the restart.
    if (this.#closed) return;
    await this.#settle(job, "pending", { kind: "failed", error: r.error.message });
  }

  async #runAction(job: JobDocument, path: string, args: ConvexJSON): Promise<void> {
    const { engine } = this.#o;
    if (!(await this.#settle(job, "pending", { kind: "inProgress" }))) return;
    const r = await engine.runAction({ path, args, identity: { kind: "none" }, allowInternal: true });
    // Probably cut off by a shutdown: left `inProgress`, so the next start marks it failed (never re-run).
    if (this.#closed && !r.ok) return;
    await this.#settle(job, "inProgress", r.ok ? { kind: "success" } : { kind: "failed", error: r.error.message });
  }

  /**
   * Moves a job from `from` to `to` unless something (a cancel) moved it first; true when moved.
   * Into `inProgress` it records this node as the runner; out of it, it forgets the runner.
   */
  async #settle(job: JobDocument, from: JobState["kind"], to: JobState): Promise<boolean> {
    const { storage, engine, clock, nodeId } = this.#o;
    const key = runningKey(job._id);
    const moved = await runSystemTransaction(storage, engine, async (tx, meta) => {
      const doc = (await tx.get(job._id as never, JOBS_TABLE)) as JobDocument | null;
      if (doc?.state.kind !== from) return false;
      const next =
        to.kind === "inProgress" ? { ...doc, state: { kind: "inProgress" as const } } : finished(doc, to, clock.now());
      await tx.write(job._id as never, JOBS_TABLE, next, doc);
      if (to.kind === "inProgress") meta.push([key, nodeId]);
      else if (from === "inProgress") meta.push([key, null]);
      return true;
    });
    // Canceled (or failed by another node) while it ran: the runner's record goes on its own.
    if (!moved && from === "inProgress") await storage.setMeta(key, null);
    return moved;
  }
}

function finished(doc: JobDocument, state: JobState, nowMs: number): JobDocument {
  return { ...doc, state: state as JobDocument["state"], completedTime: nowMs };
}

/**
 * Adds the write `change(current job)` to a mutation's transaction, reading the job at the
 * transaction's snapshot (and recording that read, so a later change to the job is a conflict).
 * Null when `change` declines.
 */
export async function withJobState(
  storage: Storage,
  tx: ExecutedTransaction,
  id: string,
  change: (cur: JobDocument) => JobDocument | null,
  table = JOBS_TABLE,
): Promise<ExecutedTransaction | null> {
  const stored = await storage.snapshot(tx.ts).get(id as never);
  const cur = stored?.value as JobDocument | undefined;
  const next = cur ? change(cur) : null;
  if (!cur || !next) return null;
  const mine = await storage.prepare([{ id: id as never, table, value: next, original: cur }]);
  const idx = byId(storage, table);
  return {
    ts: tx.ts,
    readSet: [...tx.readSet, pointRange(idx.id, documentIndexKey(cur, idx))],
    prepared: {
      schemaVersion: tx.prepared.writes.length > 0 ? tx.prepared.schemaVersion : mine.schemaVersion,
      writes: [...tx.prepared.writes, ...mine.writes],
    },
  };
}
