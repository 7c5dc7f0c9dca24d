/**
 * Runs mutations serializably: each attempt runs against the latest commit and commits only if no
 * commit since its snapshot wrote into what it read; otherwise it runs again after a backoff, the
 * retry with commits held back so hot documents still make progress. A sync-protocol mutation's
 * result is recorded in the same commit (its idempotency record), so a re-sent one runs once.
 */
import { backoffDelay, sleep, TandemError } from "@tandem/shared";
import { backendError } from "../errors.js";
import { decodeId, decodeIndexKey, type ConvexJSON, type Storage, type Timestamp } from "@tandem/storage";
import type { LoadedDeployment, ResolvedFunction } from "../runtime/loaded-deployment.js";
import type { Conflict } from "../transactions/commit-log.js";
import { CATALOG_INDEX } from "../transactions/table-marker.js";
import type { CommitMeta, Committed, Committer, Conflicted } from "./committer.js";
import type { CommitNotifier } from "./commit-notifier.js";
import type { RunOutput } from "./execute.js";
import type { FunctionRunner } from "./function-runner.js";
import type { MutationRequest } from "./types.js";

export interface MutationExecutorOptions {
  readonly storage: Storage;
  readonly committer: Committer;
  readonly runner: FunctionRunner;
  readonly notifier: CommitNotifier;
  /** OCC retries before a mutation fails (Convex: 4). */
  readonly maxRetries: number;
}

/** What a mutation came to: run (and committed when `ok`), or answered from its idempotency record. */
export type MutationOutcome =
  | { readonly ran: true; readonly fn: ResolvedFunction; readonly out: RunOutput; readonly ts: Timestamp | null }
  | { readonly ran: false; readonly value: ConvexJSON; readonly logLines: string[]; readonly ts: Timestamp };

const idempotencyKey = (sessionId: string, requestId: number) => `mutation/${sessionId}/${requestId}`;

/** The idempotency record of a sync-protocol mutation, written in the same commit. */
function commitMeta(key: string | null, out: RunOutput & { ok: true }): CommitMeta {
  // A re-sent mutation answers with the latest ts, which is ≥ this commit's.
  return key ? [[key, JSON.stringify({ value: out.value, logLines: out.logLines })]] : [];
}

export class MutationExecutor {
  /** Number of OCC re-executions so far (tests and benchmarks). */
  occRetries = 0;

  constructor(private readonly o: MutationExecutorOptions) {}

  async run(
    req: MutationRequest,
    resolve: () => { deployment: LoadedDeployment; fn: ResolvedFunction },
  ): Promise<MutationOutcome> {
    const { storage, committer, runner, notifier, maxRetries } = this.o;
    const key = req.idempotencyKey ? idempotencyKey(req.idempotencyKey.sessionId, req.idempotencyKey.requestId) : null;
    // The official client re-sends a mutation only on a later socket of its session.
    if (key && !req.idempotencyKey?.firstSend) {
      const prior = await storage.getMeta(key);
      if (prior) {
        const p = JSON.parse(prior) as { value: ConvexJSON; logLines: string[] };
        return { ran: false, value: p.value, logLines: p.logLines, ts: storage.latestTs() };
      }
    }
    const { deployment, fn } = resolve();
    // Another node may have committed since this one last looked: start from the database's head,
    // so a mutation sees every commit that finished before it began.
    if (storage.otherWriters) await storage.sync();
    for (let attempt = 0; ; attempt++) {
      const box: { result: Committed | Conflicted | null; aborted: boolean } = { result: null, aborted: false };
      // After a conflict, a retry runs with commits held back, so it cannot conflict again.
      // (Inline execution is serial and never conflicts.)
      const exclusive = runner.threaded && attempt > 0;
      const attemptOnce = () =>
        runner.run({
          kind: "mutation",
          deployment,
          fn,
          args: req.args,
          identity: req.identity,
          ts: storage.latestTs(),
          beginMs: Date.now(),
          journal: null,
          afterRun: async (o, t0) => {
            // The scheduler adds a job's state change to its mutation's commit (or aborts it).
            const t = o.ok && req.amendCommit ? await req.amendCommit(t0) : t0;
            if (t === "abort") {
              box.aborted = true;
              return;
            }
            if (o.ok)
              box.result = exclusive
                ? await committer.commitLocked(t, commitMeta(key, o))
                : await committer.commit(t, commitMeta(key, o), runner.threaded);
          },
          // It holds the commit lock: don't make every other commit wait behind the queue.
          urgent: exclusive,
        });
      const { out } = exclusive ? await committer.mutex.run(attemptOnce) : await attemptOnce();
      const result = box.result;
      if (!out.ok) return { ran: true, fn, out, ts: null };
      if (box.aborted)
        return {
          ran: true,
          fn,
          out: { ok: false, error: { message: "aborted" }, logLines: out.logLines, journal: null },
          ts: null,
        };
      if (result && !("conflict" in result)) {
        // Even a commit that wrote only its idempotency record has a new ts the client waits for.
        notifier.committed(result.ts, result.indexWrites);
        return { ran: true, fn, out, ts: result.ts };
      }
      this.occRetries += 1;
      if (attempt >= maxRetries) throw occFailure(storage, result?.conflict ?? null);
      await sleep(backoffDelay(attempt, 100, 2000));
    }
  }
}

/** Convex's text, naming the document whose change made the last attempt fail. */
function occFailure(storage: Storage, conflict: Conflict | null): TandemError {
  const { table, id } = conflictingDocument(storage, conflict);
  const changed = id ? ` Another call to this mutation changed the document with ID "${id}".` : "";
  return backendError(
    "Unavailable",
    "OptimisticConcurrencyControlFailure",
    `Documents read from or written to the "${table}" table changed while this mutation was being run and on every subsequent retry.${changed} See https://docs.convex.dev/error#1`,
  );
}

/** The table and document of a conflicting index key (every index key ends with the `_id`). */
function conflictingDocument(storage: Storage, conflict: Conflict | null): { table: string; id: string | null } {
  if (!conflict?.key) return { table: "unknown", id: null };
  const values = decodeIndexKey(conflict.key);
  const last = values[values.length - 1];
  if (conflict.index === CATALOG_INDEX) return { table: typeof last === "string" ? last : "unknown", id: null };
  const decoded = typeof last === "string" ? decodeId(last) : null;
  if (!decoded || typeof last !== "string") return { table: "unknown", id: null };
  return { table: storage.tableByNumber(decoded.tableNumber)?.name ?? "unknown", id: last };
}
