/**
 * The queries one connection subscribes to, each bound to a shared `Execution` of the subscription
 * manager, and the client's changes to them that the next Transition has not applied yet. Several
 * queries of the connection may share one execution (same path, args, identity and journal): each
 * holds its own claim on it (`acquire`/`release`), so the execution goes with the last of them.
 *
 * Most connections sit idle with one query, so an idle set holds that query and nothing else (a
 * map only from the second): the ids the client has declared are the applied queries plus the
 * pending changes (an overlay that exists only while changes are pending), and an execution's
 * queries are found by a walk over the connection's queries when a commit ends its result
 * (bench/README.md, memory per idle connection).
 */
import type { Identity } from "../engine/types.js";
import type { Execution, Subscriber, SubscriptionManager } from "../subscriptions/manager.js";
import type { QuerySetChange } from "./client-messages.js";
import type { ActiveQuery } from "./connection-state.js";
import { ProtocolError } from "./protocol-error.js";

/** What applying the client's changes leaves for the next Transition. */
export interface QuerySetDelta {
  /** Query ids removed, in the order the client removed them. */
  readonly removed: readonly number[];
  /** Queries whose result must be (re)checked: added, re-bound to a new identity, or invalidated. */
  readonly needed: readonly ActiveQuery[];
}

const NONE: readonly never[] = [];
const UNCHANGED: QuerySetDelta = { removed: NONE, needed: NONE };

export class QuerySet {
  /**
   * The queries in the order they were added: `first`, then `rest`. A query goes into `first` only
   * while `rest` is empty, so the order holds; `rest` is dropped when it empties.
   */
  private first: ActiveQuery | null = null;
  private rest: Map<number, ActiveQuery> | null = null;
  /** Changes in arrival order not yet applied (null: none; most of the time). */
  private pending: QuerySetChange[] | null = null;
  /** While changes are pending: whether each id they touch is declared after them. */
  private pendingDeclared: Map<number, boolean> | null = null;
  /**
   * Executions whose result stopped being current since the last `apply` (null: none, most of the
   * time; one execution as itself, the common case a commit wakes thousands of connections for).
   */
  private dirty: Execution | Set<Execution> | null = null;

  constructor(
    private readonly manager: SubscriptionManager,
    private readonly owner: Subscriber,
  ) {}

  get size(): number {
    return (this.first ? 1 : 0) + (this.rest?.size ?? 0);
  }

  /**
   * Takes the changes of one ModifyQuerySet: an id may be added only when it is not declared and
   * removed only when it is, as the client's messages so far define them (checked on arrival).
   */
  declare(changes: readonly QuerySetChange[]): void {
    if (changes.length === 0) return;
    const declared = (this.pendingDeclared ??= new Map());
    for (const c of changes) {
      const was = declared.get(c.queryId) ?? this.find(c.queryId) !== undefined;
      if (c.type === "Add") {
        if (was) throw new ProtocolError("DuplicateQueryId", `query ${c.queryId} added twice`);
        declared.set(c.queryId, true);
      } else {
        if (!was) throw new ProtocolError("UnknownQueryId", `no query ${c.queryId}`);
        declared.set(c.queryId, false);
      }
    }
    const pending = (this.pending ??= []);
    for (const c of changes) pending.push(c);
  }

  invalidated(exec: Execution): void {
    const dirty = this.dirty;
    if (dirty === null || dirty === exec) this.dirty = exec;
    else if (dirty instanceof Set) dirty.add(exec);
    else this.dirty = new Set([dirty, exec]);
  }

  /**
   * The execution whose ended result is all that changed (one query, no pending changes): the
   * fan-out case `apply` takes a fast path for; null otherwise.
   */
  onlyDirty(): Execution | null {
    const only = this.first;
    return this.pending === null && this.rest === null && only !== null && this.dirty === only.exec ? only.exec : null;
  }

  /**
   * Applies the pending changes in arrival order; with `rebind`, first moves every query to
   * `identity` (a new identity re-runs everything: results may depend on it).
   */
  apply(identity: Identity, rebind: boolean): QuerySetDelta {
    const dirty = this.dirty;
    if (!rebind && this.pending === null) {
      // A Transition that only moves the timestamp (after the connection's own mutation).
      if (dirty === null) return UNCHANGED;
      // The fan-out case: one query, its result ended by a commit, nothing else changed.
      const only = this.first;
      if (this.rest === null && only !== null && dirty === only.exec) {
        this.dirty = null;
        return { removed: NONE, needed: [only] };
      }
    }
    const changes = this.pending ?? [];
    this.pending = null;
    this.pendingDeclared = null;
    this.dirty = null;
    const removed: number[] = [];
    const needed = new Set<ActiveQuery>();
    if (rebind) {
      for (const q of this.all()) {
        // Claim the new execution before releasing the old so one both identities share stays cached.
        const { path, args, journal } = q.exec.spec;
        const exec = this.manager.acquire({ path, args, identity, journal }, this.owner);
        this.manager.release(q.exec, this.owner);
        q.exec = exec;
        needed.add(q);
      }
    }
    for (const c of changes) {
      if (c.type === "Add") {
        const exec = this.manager.acquire({ path: c.udfPath, args: c.args, identity, journal: c.journal }, this.owner);
        const q: ActiveQuery = { queryId: c.queryId, exec, lastHash: null };
        this.insert(q);
        needed.add(q);
      } else {
        const q = this.find(c.queryId);
        if (q) {
          this.release(q);
          this.remove(q);
          needed.delete(q);
        }
        removed.push(c.queryId);
      }
    }
    if (dirty instanceof Set) {
      for (const q of this.all()) if (dirty.has(q.exec)) needed.add(q);
    } else if (dirty !== null) for (const q of this.all()) if (q.exec === dirty) needed.add(q);
    return { removed, needed: [...needed] };
  }

  /** Releases every execution (the connection ended). */
  clear(): void {
    for (const q of this.all()) this.release(q);
    this.first = null;
    this.rest = null;
    this.pending = null;
    this.pendingDeclared = null;
    this.dirty = null;
  }

  private release(q: ActiveQuery): void {
    this.manager.release(q.exec, this.owner);
  }

  private find(queryId: number): ActiveQuery | undefined {
    return this.first?.queryId === queryId ? this.first : this.rest?.get(queryId);
  }

  private insert(q: ActiveQuery): void {
    if (this.first === null && this.rest === null) this.first = q;
    else (this.rest ??= new Map()).set(q.queryId, q);
  }

  private remove(q: ActiveQuery): void {
    if (this.first === q) this.first = null;
    else if (this.rest?.delete(q.queryId) && this.rest.size === 0) this.rest = null;
  }

  private *all(): Generator<ActiveQuery> {
    if (this.first) yield this.first;
    if (this.rest) yield* this.rest.values();
  }
}
