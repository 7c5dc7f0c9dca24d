/**
 * Builds and sends a connection's Transitions. Each one moves the client from the last version sent
 * to a snapshot of what it asked for, with every query evaluated at one timestamp (the newest commit
 * the subscription manager has processed), so the client's whole view is consistent (docs/semantics.md#queries-read-one-snapshot).
 *
 * Scheduling: a request while a Transition is being computed only marks that another is wanted, so
 * a burst of requests collapses into one more Transition.
 *
 *   idle ──schedule──▶ running{again} ──(again: compute one more)──▶ … ──(none wanted, or closed)──▶ idle
 */
import { randomUUID } from "node:crypto";
import type { SharedResult } from "../subscriptions/shared-result.js";
import type { RunWaiter } from "../subscriptions/manager.js";
import type { Timestamp } from "@tandem/storage";
import { isExpired } from "./authenticate.js";
import type { Identity } from "../engine/types.js";
import type { ConnectionPhase } from "./connection-state.js";
import type { ResponseBarrier } from "./mutation-queue.js";
import type { Outbound } from "./outbound.js";
import type { QuerySet } from "./query-set.js";
import * as wire from "./server-messages.js";
import type { SyncContext } from "./sync-context.js";

/**
 * The loop's state as one small integer (no object per schedule: a commit that wakes thousands of
 * connections would make thousands): idle; running; running with one more Transition wanted;
 * waiting for a shared query run (see `sendOne`), with or without one more wanted after it; one
 * more wanted that awaits its results itself.
 */
const IDLE = 0;
const RUNNING = 1;
const AGAIN = 2;
const WAITING = 3;
const WAITING_AGAIN = 4;
const AGAIN_AWAITING = 5;
type LoopState =
  typeof IDLE | typeof RUNNING | typeof AGAIN | typeof WAITING | typeof WAITING_AGAIN | typeof AGAIN_AWAITING;

/**
 * The connection as the Transition sender sees it. The sender keeps no references of its own to
 * what the connection already holds (one pointer instead of six per connection).
 */
export interface TransitionHost extends ResponseBarrier {
  readonly ctx: SyncContext;
  readonly phase: ConnectionPhase;
  /** Versions the client announced; each Transition ends at a snapshot of them. */
  readonly receivedQuerySet: number;
  readonly receivedIdentity: number;
  /** Identity to run queries with from `receivedIdentity` on. */
  readonly identity: Identity;
  /** The subscribed queries and the client's changes to them not yet reflected. */
  readonly queries: QuerySet;
  readonly outbound: Outbound;
  /** Whether the client takes TransitionChunks (npm ≥ 1.28.0). */
  readonly supportsChunks: boolean;
  /** The identity expired: tell the client and close. */
  expired(): void;
  fail(e: unknown): void;
}

export class TransitionSender implements RunWaiter {
  /** `endVersion` of the last Transition sent, as three fields rather than an object each. */
  private sentQuerySet = wire.INITIAL_VERSION.querySet;
  #sentIdentity = wire.INITIAL_VERSION.identity;
  private sentTs = wire.INITIAL_VERSION.ts;
  private state: LoopState = IDLE;

  constructor(private readonly host: TransitionHost) {}

  /** Identity version of the last Transition (an AuthError's `baseVersion`). */
  get sentIdentity(): number {
    return this.#sentIdentity;
  }

  /** Asks for a Transition: computed after the current task, or after the one in progress. */
  schedule(): void {
    switch (this.state) {
      case RUNNING:
        this.state = AGAIN;
        return;
      case WAITING:
        this.state = WAITING_AGAIN;
        return;
      case AGAIN:
      case AGAIN_AWAITING:
      case WAITING_AGAIN:
        return;
      case IDLE:
        if (this.host.phase.kind !== "open") return;
        this.state = AGAIN;
        void this.loop();
        return;
      default:
        return this.state satisfies never;
    }
  }

  /**
   * RunWaiter: the shared run this sender waited for settled. Its result goes out at once, in the
   * same synchronous pass as every other subscriber's (no promise chain per connection kept alive
   * while the run is in a function thread); anything less simple takes the loop.
   */
  resultReady(ok: boolean, ts: Timestamp): void {
    const again = this.state === WAITING_AGAIN;
    if (this.state !== WAITING && !again) return;
    if (!ok) {
      // The run failed: the next Transition awaits a run of its own and reports what it throws.
      this.state = AGAIN_AWAITING;
      void this.loop();
      return;
    }
    this.state = IDLE;
    // At the run's snapshot (a newer commit may have ended it already: that one asked `again`).
    if (!this.sendReady(ts) || again) this.schedule();
  }

  private async loop(): Promise<void> {
    try {
      // Start after the current task: a commit notice invalidates several results in one
      // synchronous pass, and the Transition must see all of them (one consistent snapshot).
      await undefined;
      while ((this.state === AGAIN || this.state === AGAIN_AWAITING) && this.host.phase.kind === "open") {
        const shareWait = this.state === AGAIN;
        this.state = RUNNING;
        await this.sendOne(shareWait);
      }
    } catch (e) {
      this.host.fail(e);
    } finally {
      if (this.state !== WAITING && this.state !== WAITING_AGAIN) this.state = IDLE;
    }
  }

  private async sendOne(shareWait: boolean): Promise<void> {
    const host = this.host;
    const identity = host.identity;
    if (isExpired(identity, host.ctx.now())) return host.expired();
    const { manager } = host.ctx;
    const ts = manager.processedTs;
    // The fan-out case (one query, its result ended by a commit, nothing else changed) while the
    // re-run is in flight: wait once per execution with every other subscriber, not in a promise
    // chain of our own, and send from `resultReady`. Nothing is applied yet, so nothing is lost.
    if (shareWait && host.receivedIdentity === this.#sentIdentity) {
      const exec = host.queries.onlyDirty();
      if (exec !== null && manager.readyAt(exec, ts) === null) {
        this.state = WAITING;
        manager.whenRun(exec, ts, this);
        return;
      }
    }
    const end: wire.StateVersion = { querySet: host.receivedQuerySet, identity: host.receivedIdentity, ts };
    const delta = host.queries.apply(identity, end.identity !== this.#sentIdentity);
    const modifications = delta.removed.map(wire.queryRemoved);

    const list = delta.needed;
    // One query (the common case) awaits its result directly: no Promise.all and arrays for each
    // of thousands of connections a commit wakes at once.
    if (list.length > 0) {
      const results: SharedResult[] =
        list.length === 1
          ? [await manager.resultAt(list[0]!.exec, ts)]
          : await Promise.all(list.map((q) => manager.resultAt(q.exec, ts)));
      if (host.phase.kind !== "open") return;
      for (let i = 0; i < list.length; i++) {
        const q = list[i]!;
        const r = results[i]!;
        if (r.hash === q.lastHash) continue;
        q.lastHash = r.hash;
        modifications.push(wire.queryModification(q.queryId, r));
      }
    }

    // Never overtake the response of a mutation that may commit at or before `ts`.
    for (let blocker = host.blockerFor(ts); blocker; blocker = host.blockerFor(ts)) {
      await blocker;
    }
    if (host.phase.kind !== "open") return;
    this.emit(end, modifications);
  }

  /**
   * `sendOne` without a wait, for the fan-out case whose result is ready: false (nothing done)
   * when anything else is asked for or something blocks; the loop then takes it.
   */
  private sendReady(ts: Timestamp): boolean {
    const host = this.host;
    if (host.phase.kind !== "open") return true;
    const identity = host.identity;
    if (host.receivedIdentity !== this.#sentIdentity || isExpired(identity, host.ctx.now())) return false;
    const { manager } = host.ctx;
    const exec = host.queries.onlyDirty();
    const r = exec === null ? null : manager.readyAt(exec, ts);
    if (r === null || host.blockerFor(ts) !== null) return false;
    const [q] = host.queries.apply(identity, false).needed;
    // A later commit that ended this result was noticed while waiting, before `apply` cleared the
    // mark: keep it marked, so the next Transition (asked for by that notice) re-checks it.
    if (manager.readyAt(exec!, manager.processedTs) === null) host.queries.invalidated(exec!);
    const modifications: string[] = [];
    if (q !== undefined && r.hash !== q.lastHash) {
      q.lastHash = r.hash;
      modifications.push(wire.queryModification(q.queryId, r));
    }
    this.emit({ querySet: host.receivedQuerySet, identity: host.receivedIdentity, ts }, modifications);
    return true;
  }

  /** Sends the Transition from the last version sent to `end`. */
  private emit(end: wire.StateVersion, modifications: readonly string[]): void {
    const phase = this.host.phase;
    if (phase.kind !== "open") return;
    const start: wire.StateVersion = { querySet: this.sentQuerySet, identity: this.#sentIdentity, ts: this.sentTs };
    this.sendMaybeChunked(wire.transitionMessage(start, end, modifications, phase.clientClockSkew));
    this.sentQuerySet = end.querySet;
    this.#sentIdentity = end.identity;
    this.sentTs = end.ts;
    this.host.ctx.counters.transitions++;
  }

  private sendMaybeChunked(text: string): void {
    const { ctx, outbound, supportsChunks } = this.host;
    const limit = ctx.limits.transitionChunkBytes;
    if (!supportsChunks || text.length <= limit / 3 || Buffer.byteLength(text) <= limit) {
      outbound.send(text);
      return;
    }
    for (const chunk of wire.transitionChunks(text, limit, randomUUID())) if (!outbound.send(chunk)) return;
  }
}
