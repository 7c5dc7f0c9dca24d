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
 * connections would make thousands): idle, running, or running with one more Transition wanted.
 */
const IDLE = 0;
const RUNNING = 1;
const AGAIN = 2;
type LoopState = typeof IDLE | typeof RUNNING | typeof AGAIN;

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

export class TransitionSender {
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
    if (this.state !== IDLE) {
      this.state = AGAIN;
      return;
    }
    if (this.host.phase.kind !== "open") return;
    this.state = AGAIN;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      // Start after the current task: a commit notice invalidates several results in one
      // synchronous pass, and the Transition must see all of them (one consistent snapshot).
      await undefined;
      while (this.state === AGAIN && this.host.phase.kind === "open") {
        this.state = RUNNING;
        await this.sendOne();
      }
    } catch (e) {
      this.host.fail(e);
    } finally {
      this.state = IDLE;
    }
  }

  private async sendOne(): Promise<void> {
    const host = this.host;
    const identity = host.identity;
    if (isExpired(identity, host.ctx.now())) return host.expired();
    const { manager } = host.ctx;
    const ts = manager.processedTs;
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
    const phase = host.phase;
    if (phase.kind !== "open") return;
    const start: wire.StateVersion = { querySet: this.sentQuerySet, identity: this.#sentIdentity, ts: this.sentTs };
    this.sendMaybeChunked(wire.transitionMessage(start, end, modifications, phase.clientClockSkew));
    this.sentQuerySet = end.querySet;
    this.#sentIdentity = end.identity;
    this.sentTs = end.ts;
    host.ctx.counters.transitions++;
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
