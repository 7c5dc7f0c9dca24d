/**
 * Live query executions shared by every connection of one process.
 *
 * - An `Execution` is one distinct subscription (path, args, identity, journal); any number of
 *   connections subscribe to it and share its runs and its serialized result.
 * - Its latest result is valid from the snapshot it read (`ts`) until the first commit that wrote
 *   into its read set (`validUntil`). While valid, its read set sits in the range index; the commit
 *   that ends it removes it from the index and tells the subscribers (once), so a commit costs
 *   O(writes × log n + results it ends), whatever the number of subscriptions.
 * - `resultAt(exec, ts)` answers with the latest result when it is valid at `ts`, joins a run
 *   already in flight for `ts`, or starts one: a burst of commits invalidates each result once and
 *   every subscriber asks for the then-latest snapshot, so re-executions coalesce.
 * - `processedTs` is the newest commit whose notice was handled: the only snapshot at which the
 *   validity of every result is known. Transitions read there.
 */
import type { Timestamp } from "@tandem/storage";
import { silentLogger, type Logger } from "@tandem/shared";
import type { CommitNotice, Engine } from "../engine/types.js";
import { CommitWindow } from "./commit-window.js";
import { queryKey, type QuerySpec } from "./query-key.js";
import { RangeIndex, type RangeRegistration } from "./range-index.js";
import { toSharedResult, type SharedResult } from "./shared-result.js";

/** Told when a result it depends on stops being current (it then asks for a newer one). */
export interface Subscriber {
  invalidated(exec: Execution): void;
}

/** Told once a shared run it waited for (`whenRun`) has settled. */
export interface RunWaiter {
  /** `ts`: the snapshot of the run. */
  resultReady(ok: boolean, ts: Timestamp): void;
}

export class Execution {
  /**
   * Each subscriber with the number of its claims: a connection whose queries share this execution
   * claims it once per query, so it needs no map of its own to know when the last one goes.
   */
  readonly subscribers = new Map<Subscriber, number>();
  latest: SharedResult | null = null;
  registration: RangeRegistration<Execution> | null = null;
  readonly inflight = new Map<bigint, Promise<SharedResult>>();
  /** Waiters of the newest run waited for (`whenRun`): one list, however many subscribers. */
  waiting: { readonly ts: Timestamp; readonly list: RunWaiter[] } | null = null;
  constructor(
    readonly key: string,
    readonly spec: QuerySpec,
  ) {}
}

export interface SubscriptionStats {
  /** Distinct live subscriptions (shared executions). */
  readonly executions: number;
  /** Key ranges registered in the range index. */
  readonly ranges: number;
  /** Query runs started since creation. */
  readonly runs: number;
  /** Results ended by a commit since creation. */
  readonly invalidations: number;
  readonly processedTs: bigint;
}

export class SubscriptionManager {
  private readonly executions = new Map<string, Execution>();
  private readonly index = new RangeIndex<Execution>();
  private readonly window = new CommitWindow();
  private waiters: Array<{ ts: Timestamp; resolve: () => void }> = [];
  private processed: Timestamp;
  private readonly unsubscribe: () => void;
  private runs = 0;
  private invalidations = 0;
  private readonly log: Logger;

  constructor(
    private readonly engine: Engine,
    options: { logger?: Logger } = {},
  ) {
    this.log = options.logger ?? silentLogger;
    this.processed = engine.latestTs();
    this.unsubscribe = engine.onCommit((notice) => this.onCommit(notice));
  }

  get processedTs(): Timestamp {
    return this.processed;
  }

  /** One claim of `subscriber` on the execution of `spec`; each needs its own `release`. */
  acquire(spec: QuerySpec, subscriber: Subscriber): Execution {
    const key = queryKey(spec);
    let exec = this.executions.get(key);
    if (!exec) this.executions.set(key, (exec = new Execution(key, spec)));
    exec.subscribers.set(subscriber, (exec.subscribers.get(subscriber) ?? 0) + 1);
    return exec;
  }

  /** Drops one claim; the subscriber stops being told about `exec` when its last claim goes. */
  release(exec: Execution, subscriber: Subscriber): void {
    const claims = exec.subscribers.get(subscriber);
    if (claims === undefined) return;
    if (claims > 1) return void exec.subscribers.set(subscriber, claims - 1);
    exec.subscribers.delete(subscriber);
    if (exec.subscribers.size > 0 || this.executions.get(exec.key) !== exec) return;
    this.executions.delete(exec.key);
    if (exec.registration) this.index.remove(exec.registration);
    exec.registration = null;
  }

  /** A result of `exec` that is correct at snapshot `ts` (which must be ≤ `processedTs`). */
  resultAt(exec: Execution, ts: Timestamp): Promise<SharedResult> {
    const latest = this.readyAt(exec, ts);
    if (latest) return Promise.resolve(latest);
    let run = exec.inflight.get(ts);
    if (!run) {
      run = this.run(exec, ts);
      exec.inflight.set(ts, run);
      const forget = () => exec.inflight.delete(ts);
      run.then(forget, forget);
    }
    return run;
  }

  /** The latest result of `exec` when it is correct at `ts`; null when a run is needed. */
  readyAt(exec: Execution, ts: Timestamp): SharedResult | null {
    const latest = exec.latest;
    return latest && latest.ts <= ts && (latest.validUntil === null || ts < latest.validUntil) ? latest : null;
  }

  /**
   * Tells `waiter` once the run of `exec` at `ts` (started or joined here) settles. A commit that
   * ends a result many connections show makes one list entry each, not a promise chain each
   * kept alive while the run is in a function thread.
   */
  whenRun(exec: Execution, ts: Timestamp, waiter: RunWaiter): void {
    let w = exec.waiting;
    if (w === null || w.ts !== ts) {
      const run = this.resultAt(exec, ts);
      const waiting = (w = { ts, list: [] as RunWaiter[] });
      exec.waiting = waiting;
      const wake = (ok: boolean) => {
        if (exec.waiting === waiting) exec.waiting = null;
        for (const x of waiting.list) x.resultReady(ok, ts);
      };
      run.then(
        () => wake(true),
        () => wake(false),
      );
    }
    w.list.push(waiter);
  }

  /** Resolves once the notice of the commit at `ts` (or a later one) has been handled. */
  whenProcessed(ts: Timestamp): Promise<void> {
    if (ts <= this.processed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ts, resolve }));
  }

  stats(): SubscriptionStats {
    return {
      executions: this.executions.size,
      ranges: this.index.size,
      runs: this.runs,
      invalidations: this.invalidations,
      processedTs: this.processed,
    };
  }

  close(): void {
    this.unsubscribe();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private async run(exec: Execution, ts: Timestamp): Promise<SharedResult> {
    this.runs++;
    this.window.begin(ts);
    try {
      const { spec } = exec;
      const res = await this.engine.runQuery({
        path: spec.path,
        args: spec.args,
        identity: spec.identity,
        ts,
        // Re-runs continue from the journal of the previous run (gapless pagination, docs/sync-protocol.md#query-journals).
        journal: exec.latest ? exec.latest.journal : spec.journal,
        allowInternal: spec.identity.kind === "admin",
      });
      if (res.ts !== ts) this.log.warn("engine ran a query at another snapshot", { asked: ts, got: res.ts });
      const result = toSharedResult(res, this.window.firstHit(res.ts, res.readSet));
      this.adopt(exec, result);
      return result;
    } finally {
      this.window.end(ts);
    }
  }

  /** Makes `result` the execution's latest (when it is newer) and watches its read set. */
  private adopt(exec: Execution, result: SharedResult): void {
    if (this.executions.get(exec.key) !== exec) return; // released while running
    if (exec.latest && exec.latest.ts > result.ts) {
      // An older snapshot for a lagging reader; if a commit already ended it, make sure the
      // subscribers come back for a newer one.
      if (result.validUntil !== null) for (const s of exec.subscribers.keys()) s.invalidated(exec);
      return;
    }
    if (exec.registration) this.index.remove(exec.registration);
    exec.registration = null;
    exec.latest = result;
    if (result.validUntil === null) {
      exec.registration = this.index.add(result.readSet, exec);
    } else {
      // A commit during the run already ended it; nobody was watching then, so tell them now.
      this.invalidations++;
      for (const s of exec.subscribers.keys()) s.invalidated(exec);
    }
  }

  private onCommit(notice: CommitNotice): void {
    if (notice.ts > this.processed) this.processed = notice.ts;
    this.window.record(notice);
    const hit = new Set<Execution>(notice.all ? this.executions.values() : []);
    for (const w of notice.writes) this.index.stab(w.index, w.key, (exec) => hit.add(exec));
    for (const exec of hit) {
      const latest = exec.latest;
      if (latest && latest.validUntil === null) latest.validUntil = notice.ts;
      // New code or env at an unchanged ts: the cached result must not be served again.
      if (notice.all) exec.latest = null;
      if (exec.registration) this.index.remove(exec.registration);
      exec.registration = null;
      this.invalidations++;
      for (const s of exec.subscribers.keys()) s.invalidated(exec);
    }
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.ts <= this.processed);
      this.waiters = this.waiters.filter((w) => w.ts > this.processed);
      for (const w of ready) w.resolve();
    }
  }
}
