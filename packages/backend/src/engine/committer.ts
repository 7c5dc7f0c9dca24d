/**
 * Commits of the engine: optimistic concurrency control against recent commits (the commit log),
 * group commit, and the table markers every commit writes. A mutation's commit validates its read
 * set against every commit after its snapshot and applies its writes, or reports a conflict (null).
 */
import type {
  CommitRequest,
  CommitResult,
  IndexWrite,
  KeyRange,
  OtherCommit,
  PreparedCommit,
  Storage,
  Timestamp,
} from "@tandem/storage";
import { CommitLog, type Conflict } from "../transactions/commit-log.js";
import { tableMarkerWrites } from "../transactions/table-marker.js";
import { Mutex } from "./mutex.js";

/** What a finished query/mutation body read and wrote, wherever it ran. */
export interface ExecutedTransaction {
  readonly ts: Timestamp;
  readonly readSet: readonly KeyRange[];
  /** Its writes, serialized and keyed where it ran (commits then need no reads). */
  readonly prepared: PreparedCommit;
  /** The function read the clock (queries: engine/query-cache.ts). */
  readonly observedTime?: boolean;
}

/** A commit's timestamp and every index key it wrote (table markers included). */
export interface Committed {
  readonly ts: Timestamp;
  readonly indexWrites: IndexWrite[];
  /**
   * Nothing was written (no compare-and-set ran): what the mutation read held at its snapshot,
   * which on a database other nodes write may be older than their latest commits.
   */
  readonly readOnly?: true;
}

/** A commit refused because a commit since the mutation's snapshot wrote into what it read. */
export interface Conflicted {
  readonly conflict: Conflict;
}

/** Metadata written atomically with a commit (the idempotency record of a sync mutation). */
export type CommitMeta = ReadonlyArray<readonly [string, string | null]>;

interface PendingCommit {
  readonly tx: ExecutedTransaction;
  readonly request: CommitRequest;
  readonly resolve: (r: Committed | Conflicted) => void;
  /** Set when the conflict check refuses it. */
  conflict?: Conflict;
  readonly reject: (e: unknown) => void;
}

function tablesOf(request: CommitRequest): string[] {
  return request.prepared ? request.prepared.writes.map((w) => w.table) : request.writes.map((w) => w.table);
}

function isEmpty(request: CommitRequest): boolean {
  return tablesOf(request).length === 0 && (request.meta?.length ?? 0) === 0;
}

function withMarkers(request: CommitRequest, stored: CommitResult): Committed {
  return { ts: stored.ts, indexWrites: [...stored.indexWrites, ...tableMarkerWrites(tablesOf(request))] };
}

/** What another node's commit wrote, as this node's own commits are logged (table markers included). */
export function otherCommitWrites(c: OtherCommit): IndexWrite[] {
  return [...c.indexWrites, ...tableMarkerWrites(c.tables)];
}

export class Committer {
  /** Held while commits are written; the exclusive retry lane holds it while a mutation re-runs. */
  readonly mutex = new Mutex();
  readonly #storage: Storage;
  readonly #log: CommitLog;
  #pending: PendingCommit[] = [];
  #draining = false;
  readonly #moreComing: () => boolean;

  /**
   * `moreComing`: true while other results may still arrive in this event-loop turn (jobs running
   * in function threads); a commit then waits for the end of the turn to share their write.
   */
  constructor(storage: Storage, moreComing: () => boolean = () => true) {
    this.#storage = storage;
    this.#moreComing = moreComing;
    // Commits before the head at start were never logged: the log vouches only for later spans.
    this.#log = new CommitLog(undefined, storage.latestTs());
    // Commits another node made: the storage reports them before it retries a commit they
    // overtook, so the conflict checks of that retry see them too.
    storage.onOtherCommits((commits) => {
      for (const c of commits) this.#log.append(c.ts, otherCommitWrites(c));
    });
  }

  /**
   * Commits a mutation's writes, or reports the conflict when a commit since its snapshot wrote
   * into what it read. Commits that arrive while one is being written are grouped into one durable write
   * (each still checked against every commit before it, in order). `fromThread`: the writes come
   * from a function thread's result (whose round trip already let the event loop turn).
   */
  commit(tx: ExecutedTransaction, meta: CommitMeta, fromThread = false): Promise<Committed | Conflicted> {
    const request: CommitRequest = { prepared: tx.prepared, meta };
    if (isEmpty(request)) return Promise.resolve(this.#unchanged());
    return new Promise((resolve, reject) => {
      this.#pending.push({ tx, request, resolve, reject });
      if (this.#draining) return;
      this.#draining = true;
      const drain = (): void => {
        void this.mutex
          .run(() => this.#drain())
          .finally(() => {
            this.#draining = false;
            // A commit queued after the loop's last check but before this point.
            if (this.#pending.length > 0) {
              this.#draining = true;
              drain();
            }
          });
      };
      // Wait for the rest of this event-loop turn: results from the function threads arrive in
      // bursts, and everything that arrives before the drain shares one durable write. (Draining
      // after each thread's message instead measured slower: more, smaller transactions.) With
      // nothing else running, only what this burst of promise jobs commits can join: the drain
      // starts once they are done (next tick), not after the event loop's poll. Only for a
      // thread's result: the server's own transactions (the scheduler's) can follow one another
      // on this thread alone, and each still lets sockets be read in between.
      if (!fromThread || this.#moreComing()) setImmediate(drain);
      else process.nextTick(drain);
    });
  }

  /**
   * True when the log knows every commit in (`since`, `until`] and none of them wrote into
   * `readSet`: what read it at `since` reads the same at `until` (the query cache). `until` must
   * not be past this node's head (commits are logged before the head moves past them).
   */
  unchangedBetween(readSet: readonly KeyRange[], since: Timestamp, until: Timestamp): boolean {
    return this.#log.covers(since) && this.#log.conflict(readSet, since, until) === null;
  }

  /** `commit` for a caller that already holds `mutex` (the exclusive retry lane). */
  async commitLocked(tx: ExecutedTransaction, meta: CommitMeta): Promise<Committed | Conflicted> {
    let conflict = this.#log.conflict(tx.readSet, tx.ts);
    if (conflict) return { conflict };
    const request: CommitRequest = { prepared: tx.prepared, meta };
    if (isEmpty(request)) return this.#unchanged();
    // Checked again at its turn in the write: another node's commits may arrive meanwhile.
    let committed = null as Committed | null;
    const [r] = await this.#storage.commitMany([request], {
      accept: () => (conflict = this.#log.conflict(tx.readSet, tx.ts)) === null,
      applied: (_, stored) => {
        committed = withMarkers(request, stored);
        this.#log.append(committed.ts, committed.indexWrites);
      },
      discarded: (is) => {
        this.#log.dropNewest(is.length);
        committed = null;
      },
    });
    if (r === "skipped") return { conflict: conflict ?? { ts: tx.ts, index: null, key: null } };
    if (r instanceof Error || r === undefined) throw r ?? new Error("commit returned no result");
    return committed ?? withMarkers(request, r);
  }

  /** A commit from outside any function (imports): no conflict check, but later ones see it. */
  async external(request: CommitRequest): Promise<{ stored: CommitResult; committed: Committed }> {
    return this.mutex.run(async () => {
      // Logged inside the write (as the other paths do), so another node's commit reported
      // right after it can't reach the log first: the log stays in ts order.
      let committed = null as Committed | null;
      const [stored] = await this.#storage.commitMany([request], {
        applied: (_, r) => {
          committed = withMarkers(request, r);
          this.#log.append(committed.ts, committed.indexWrites);
        },
        discarded: (is) => {
          this.#log.dropNewest(is.length);
          committed = null;
        },
      });
      if (stored === "skipped" || stored instanceof Error || stored === undefined)
        throw stored === "skipped"
          ? new Error("an external commit was skipped")
          : (stored ?? new Error("commit returned no result"));
      return { stored, committed: committed ?? withMarkers(request, stored) };
    });
  }

  /** What a commit with nothing to write reports: the current head, no keys. */
  #unchanged(): Committed {
    return { ts: this.#storage.latestTs(), indexWrites: [], readOnly: true };
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      // Made once per applied commit: for the log, then for its caller.
      const committed: Committed[] = [];
      try {
        const results = await this.#storage.commitMany(
          batch.map((p) => p.request),
          {
            accept: (i) => {
              const p = batch[i]!;
              const conflict = this.#log.conflict(p.tx.readSet, p.tx.ts);
              if (conflict) p.conflict = conflict;
              return conflict === null;
            },
            applied: (i, r) => {
              const c = (committed[i] = withMarkers(batch[i]!.request, r));
              this.#log.append(c.ts, c.indexWrites);
            },
            discarded: (is) => {
              this.#log.dropNewest(is.length);
              for (const i of is) delete committed[i];
            },
          },
        );
        results.forEach((r, i) => {
          const p = batch[i]!;
          if (r === "skipped") p.resolve({ conflict: p.conflict ?? { ts: p.tx.ts, index: null, key: null } });
          else if (r instanceof Error) p.reject(r);
          else p.resolve(committed[i] ?? withMarkers(p.request, r));
        });
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
  }
}
