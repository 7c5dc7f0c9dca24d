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
import type { CommitMeta, Committed, Committer, Conflicted, ExecutedTransaction } from "./committer.js";
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
    // No head read before the run, even when other nodes write (Postgres): see `stillValidAt`.
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
      const { out, tx } = exclusive ? await committer.mutex.run(attemptOnce) : await attemptOnce();
      let result = box.result;
      // A run that wrote nothing (an error, or no writes) is checked against the database's head.
      let stale = false;
      if (storage.otherWriters && !box.aborted && (!out.ok || (result !== null && "readOnly" in result))) {
        const head = await this.stillValidAt(tx);
        if (head === null) stale = true;
        else if (out.ok) result = { ts: head, indexWrites: [], readOnly: true };
      }
      if (!stale) {
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
      }
      this.occRetries += 1;
      if (attempt >= maxRetries) throw occFailure(storage, result && "conflict" in result ? result.conflict : null);
      // A run that only lagged behind other nodes runs again at once, at the head it caught up to.
      if (!stale) await sleep(backoffDelay(attempt, 100, 2000));
    }
  }

  /**
   * A mutation runs at this node's head (`storage.latestTs()`), not the database's: on Postgres
   * the head read that used to come first cost a round trip per mutation (≈ 15–20 % of one under
   * load). Why nothing is lost:
   *
   * - Read-your-writes on one node: the node's head moves past a commit before the committer
   *   answers its mutation (`MvccStorage.commitMany` sees each result first), and catch-ups only
   *   move it forward; so a mutation reads every commit this node acknowledged before it began.
   * - A mutation that writes is serializable at its commit ts, which is after every commit that
   *   finished before it began (anywhere): the commit is planned against the head the node knows
   *   and moves the database's head from exactly there (compare-and-set); when another node moved
   *   it, the node first learns of those commits (its OCC log gets them) and checks the mutation's
   *   read set against them again. So the read set is checked against every commit between its
   *   snapshot and its commit ts, as if it had run at the commit ts; a stale snapshot can only turn
   *   into a conflict (a retry), never into a lost update.
   * - A mutation that writes nothing (or fails: its error came from what it read) moves no head,
   *   so nothing checked it against other nodes' commits: here it reads the database's head after
   *   the run (as the head read before it did, but only for these), learns of the commits up to it,
   *   and holds when none of them wrote into what it read: its outcome is then the one it would
   *   have had at that head, read after it began (a client that saw a commit through another node
   *   sees it here too). Otherwise it runs again, at that head.
   */
  private async stillValidAt(tx: ExecutedTransaction): Promise<Timestamp | null> {
    const { storage, committer } = this.o;
    const head = await storage.sync();
    return committer.unchangedBetween(tx.readSet, tx.ts, head) ? head : null;
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
