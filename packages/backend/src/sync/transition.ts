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
import type { ClientVersions, ConnectionPhase, PendingChanges } from "./connection-state.js";
import type { ResponseBarrier } from "./mutation-queue.js";
import type { Outbound } from "./outbound.js";
import type { QuerySet } from "./query-set.js";
import * as wire from "./server-messages.js";
import type { SyncContext } from "./sync-context.js";

type LoopState = { readonly kind: "idle" } | { readonly kind: "running"; again: boolean };

/** The connection as the Transition sender sees it. */
export interface TransitionHost {
  readonly phase: ConnectionPhase;
  /** Versions the client announced; each Transition ends at a snapshot of them. */
  readonly received: ClientVersions;
  /** Changes not yet reflected; the sender takes `changes` when it builds a Transition. */
  readonly pending: PendingChanges;
  /** The identity expired: tell the client and close. */
  expired(): void;
  fail(e: unknown): void;
}

export class TransitionSender {
  /** `endVersion` of the last Transition sent. */
  private sent: wire.StateVersion = wire.INITIAL_VERSION;
  private state: LoopState = { kind: "idle" };

  constructor(
    private readonly ctx: SyncContext,
    private readonly host: TransitionHost,
    private readonly queries: QuerySet,
    private readonly mutations: ResponseBarrier,
    private readonly out: Outbound,
    private readonly supportsChunks: boolean,
  ) {}

  /** Identity version of the last Transition (an AuthError's `baseVersion`). */
  get sentIdentity(): number {
    return this.sent.identity;
  }

  /** Asks for a Transition: computed after the current task, or after the one in progress. */
  schedule(): void {
    if (this.state.kind === "running") {
      this.state.again = true;
      return;
    }
    if (this.host.phase.kind !== "open") return;
    const state = { kind: "running" as const, again: true };
    this.state = state;
    void this.loop(state);
  }

  private async loop(state: { kind: "running"; again: boolean }): Promise<void> {
    try {
      // Start after the current task: a commit notice invalidates several results in one
      // synchronous pass, and the Transition must see all of them (one consistent snapshot).
      await Promise.resolve();
      while (state.again && this.host.phase.kind === "open") {
        state.again = false;
        await this.sendOne();
      }
    } catch (e) {
      this.host.fail(e);
    } finally {
      this.state = { kind: "idle" };
    }
  }

  private async sendOne(): Promise<void> {
    const { pending, received } = this.host;
    const identity = pending.identity;
    if (isExpired(identity, this.ctx.now())) return this.host.expired();
    const { manager } = this.ctx;
    const ts = manager.processedTs;
    const end: wire.StateVersion = { querySet: received.querySet, identity: received.identity, ts };
    const changes = pending.changes;
    pending.changes = [];
    const delta = this.queries.apply(changes, identity, end.identity !== this.sent.identity);
    const modifications = delta.removed.map(wire.queryRemoved);

    const list = delta.needed;
    // One query (the common case) awaits its result directly: no Promise.all and arrays for each
    // of thousands of connections a commit wakes at once.
    const results: SharedResult[] =
      list.length === 1
        ? [await manager.resultAt(list[0]!.exec, ts)]
        : await Promise.all(list.map((q) => manager.resultAt(q.exec, ts)));
    if (this.host.phase.kind !== "open") return;
    list.forEach((q, i) => {
      const r = results[i]!;
      if (r.hash === q.lastHash) return;
      q.lastHash = r.hash;
      modifications.push(wire.queryModification(q.queryId, r));
    });

    // Never overtake the response of a mutation that may commit at or before `ts`.
    for (let blocker = this.mutations.blockerFor(ts); blocker; blocker = this.mutations.blockerFor(ts)) {
      await blocker;
    }
    const phase = this.host.phase;
    if (phase.kind !== "open") return;
    this.sendMaybeChunked(wire.transitionMessage(this.sent, end, modifications, phase.clientClockSkew));
    this.sent = end;
    this.ctx.counters.transitions++;
  }

  private sendMaybeChunked(text: string): void {
    const limit = this.ctx.limits.transitionChunkBytes;
    if (!this.supportsChunks || text.length <= limit / 3 || Buffer.byteLength(text) <= limit) {
      this.out.send(text);
      return;
    }
    for (const chunk of wire.transitionChunks(text, limit, randomUUID())) if (!this.out.send(chunk)) return;
  }
}
