/**
 * The queries one connection subscribes to, each bound to a shared `Execution` of the subscription
 * manager. Several queries of the connection may share one execution (same path, args, identity and
 * journal); the execution is released when the last of them goes.
 */
import type { Identity } from "../engine/types.js";
import type { Execution, Subscriber, SubscriptionManager } from "../subscriptions/manager.js";
import type { QuerySetChange } from "./client-messages.js";
import type { ActiveQuery } from "./connection-state.js";

/** What applying the client's changes leaves for the next Transition. */
export interface QuerySetDelta {
  /** Query ids removed, in the order the client removed them. */
  readonly removed: readonly number[];
  /** Queries whose result must be (re)checked: added, re-bound to a new identity, or invalidated. */
  readonly needed: readonly ActiveQuery[];
}

export class QuerySet {
  private readonly queries = new Map<number, ActiveQuery>();
  private readonly byExec = new Map<Execution, Set<number>>();
  /** Executions whose result stopped being current since the last `apply` (null: none; most of the time). */
  private dirty: Set<Execution> | null = null;

  constructor(
    private readonly manager: SubscriptionManager,
    private readonly owner: Subscriber,
  ) {}

  get size(): number {
    return this.queries.size;
  }

  invalidated(exec: Execution): void {
    (this.dirty ??= new Set()).add(exec);
  }

  /**
   * Applies the client's changes in arrival order; with `rebind`, first moves every query to
   * `identity` (a new identity re-runs everything: results may depend on it).
   */
  apply(changes: readonly QuerySetChange[], identity: Identity, rebind: boolean): QuerySetDelta {
    const dirty = this.dirty;
    this.dirty = null;
    const removed: number[] = [];
    const needed = new Set<ActiveQuery>();
    if (rebind) {
      for (const q of this.queries.values()) {
        // Attach before detaching so an execution both identities share stays cached.
        const exec = this.attach(q.queryId, q.udfPath, q.args, q.journal, identity);
        if (exec !== q.exec) {
          this.detach(q);
          q.exec = exec;
        }
        needed.add(q);
      }
    }
    for (const c of changes) {
      if (c.type === "Add") {
        const exec = this.attach(c.queryId, c.udfPath, c.args, c.journal, identity);
        const q: ActiveQuery = {
          queryId: c.queryId,
          udfPath: c.udfPath,
          args: c.args,
          journal: c.journal,
          exec,
          lastHash: null,
        };
        this.queries.set(c.queryId, q);
        needed.add(q);
      } else {
        const q = this.queries.get(c.queryId);
        if (q) {
          this.detach(q);
          this.queries.delete(c.queryId);
          needed.delete(q);
        }
        removed.push(c.queryId);
      }
    }
    for (const exec of dirty ?? []) {
      for (const id of this.byExec.get(exec) ?? []) needed.add(this.queries.get(id)!);
    }
    return { removed, needed: [...needed] };
  }

  /** Releases every execution (the connection ended). */
  clear(): void {
    for (const q of this.queries.values()) this.detach(q);
    this.queries.clear();
    this.dirty = null;
  }

  private attach(
    queryId: number,
    udfPath: string,
    args: ActiveQuery["args"],
    journal: string | null,
    identity: Identity,
  ) {
    const exec = this.manager.acquire({ path: udfPath, args, identity, journal }, this.owner);
    let ids = this.byExec.get(exec);
    if (!ids) this.byExec.set(exec, (ids = new Set()));
    ids.add(queryId);
    return exec;
  }

  /** Drops the query's claim on its execution (releasing it when no other query uses it). */
  private detach(q: ActiveQuery): void {
    const ids = this.byExec.get(q.exec);
    ids?.delete(q.queryId);
    if (!ids || ids.size === 0) {
      this.byExec.delete(q.exec);
      this.dirty?.delete(q.exec);
      this.manager.release(q.exec, this.owner);
    }
  }
}
