/**
 * One sync socket: reads client messages strictly in order (research §2.13), runs mutations one at
 * a time and actions concurrently, and sends Transitions whose versions chain exactly from
 * {0,0,0}. Every query of the connection is evaluated at one snapshot per Transition, so the
 * client's whole view is consistent (research §8.2).
 *
 * Ordering rule for read-your-writes: a Transition past a mutation's commit timestamp is never
 * sent before that mutation's MutationResponse (research §2.6). A mutation that starts when the
 * latest commit is `s` commits at `T > s`; a Transition at `ts > s` waits for the response.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { Timestamp } from "@tandem/storage";
import { isTandemError, sleep, unreachable, type Logger } from "@tandem/shared";
import type { Engine, Identity } from "../engine/types.js";
import type { Execution, Subscriber, SubscriptionManager } from "../subscriptions/manager.js";
import type { SharedResult } from "../subscriptions/shared-result.js";
import { isExpired, resolveIdentity, TOKEN_EXPIRED, type AuthCallbacks } from "./authenticate.js";
import {
  parseClientMessage,
  type AuthenticateMessage,
  type ClientMessage,
  type ConnectMessage,
  type FunctionRequestMessage,
  type ModifyQuerySetMessage,
} from "./client-messages.js";
import type { ActiveQuery, ClientVersions, ConnectionPhase, PendingChanges } from "./connection-state.js";
import type { InflightMutations } from "./inflight-mutations.js";
import { OVERLOAD_CLOSE, Outbound } from "./outbound.js";
import { ProtocolError } from "./protocol-error.js";
import * as out from "./server-messages.js";

export interface SyncLimits {
  readonly maxOutboundBytes: number;
  /** Transitions whose JSON is larger are sent as TransitionChunks (npm ≥ 1.28.0). */
  readonly transitionChunkBytes: number;
  readonly maxQueuedMutations: number;
  readonly maxInflightActions: number;
  /** How long a Connect whose maxObservedTimestamp is ahead of us waits to catch up. */
  readonly maxObservedWaitMs: number;
}

export interface SyncCounters {
  transitions: number;
  fatalErrors: number;
  overloadCloses: number;
  authErrors: number;
  mutations: number;
  actions: number;
}

export interface SyncContext {
  readonly engine: Engine;
  readonly manager: SubscriptionManager;
  readonly auth: AuthCallbacks;
  readonly inflight: InflightMutations;
  readonly log: Logger;
  readonly limits: SyncLimits;
  readonly counters: SyncCounters;
}

interface QueuedMutation {
  readonly message: FunctionRequestMessage;
  readonly identity: Identity;
}

export class SyncConnection implements Subscriber {
  phase: ConnectionPhase = { kind: "awaitingConnect" };
  private readonly ws: WebSocket;
  private readonly ctx: SyncContext;
  private readonly supportsChunks: boolean;
  private readonly out: Outbound;
  lastReceivedAt = Date.now();

  private inbox: Array<{ data: Buffer; isBinary: boolean }> = [];
  private reading = false;

  private sent: out.StateVersion = out.INITIAL_VERSION;
  private readonly received: ClientVersions = { querySet: 0, identity: 0 };
  /** Query ids as the client's messages so far define them (validates Add/Remove on arrival). */
  private readonly declared = new Set<number>();
  private pending: PendingChanges = { changes: [], identity: { kind: "none" } };
  private readonly queries = new Map<number, ActiveQuery>();
  private readonly byExec = new Map<Execution, Set<number>>();
  private dirty = new Set<Execution>();

  private wantTransition = false;
  private computing = false;

  private mutations: QueuedMutation[] = [];
  private runningMutation: { readonly startTs: Timestamp; readonly responded: Promise<void> } | null = null;
  private mutationLoop = false;
  private actionsInFlight = 0;

  constructor(ws: WebSocket, ctx: SyncContext, supportsChunks: boolean) {
    this.ws = ws;
    this.ctx = ctx;
    this.supportsChunks = supportsChunks;
    this.out = new Outbound(ws, ctx.limits.maxOutboundBytes, () => this.overloaded());
    ws.on("message", (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
    ws.on("close", () => this.shutdown("peer closed"));
    ws.on("error", (e) => this.ctx.log.debug("socket error", { error: e }));
    ws.on("pong", () => (this.lastReceivedAt = Date.now()));
  }

  get isOpen(): boolean {
    return this.phase.kind !== "closed";
  }

  get queryCount(): number {
    return this.queries.size;
  }

  get lastSentAt(): number {
    return this.out.lastSentAt;
  }

  /** Keep-alive: a Ping after `pingIntervalMs` of outbound silence (research §2.6). */
  sendPing(): void {
    if (this.phase.kind === "open") this.out.send(out.PING);
  }

  // ---- inbound ---------------------------------------------------------------------------

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (!this.isOpen) return;
    this.lastReceivedAt = Date.now();
    this.inbox.push({ data, isBinary });
    if (!this.reading) void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    this.reading = true;
    try {
      while (this.inbox.length && this.isOpen) {
        const frame = this.inbox.shift()!;
        if (frame.isBinary) throw new ProtocolError("BinaryFrame", "binary frames are not part of the protocol");
        await this.handle(parseClientMessage(frame.data.toString("utf8")));
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.reading = false;
    }
  }

  private async handle(m: ClientMessage): Promise<void> {
    if (m.type === "Event") return; // metrics only
    if (m.type === "Connect") return this.onConnect(m);
    if (this.phase.kind !== "open") throw new ProtocolError("NotConnected", `${m.type} before Connect`);
    switch (m.type) {
      case "ModifyQuerySet":
        return this.onModifyQuerySet(m);
      case "Authenticate":
        return this.onAuthenticate(m);
      case "Mutation":
        return this.enqueueMutation(m);
      case "Action":
        return this.startAction(m);
      default:
        return unreachable(m);
    }
  }

  private async onConnect(m: ConnectMessage): Promise<void> {
    if (this.phase.kind !== "awaitingConnect") throw new ProtocolError("AlreadyConnected", "second Connect");
    this.phase = {
      kind: "open",
      sessionId: m.sessionId,
      clientClockSkew: m.clientTs === null ? null : m.clientTs - Date.now(),
    };
    // A client that saw a newer timestamp (another node, or before our restart) waits briefly for
    // us to catch up rather than being refused (research §2.8).
    const seen = m.maxObservedTimestamp;
    // Only a timestamp we have committed can be waited for; one beyond our head (another
    // deployment, a reset dev store) is accepted at once rather than leaving a waiter behind.
    if (seen !== null && seen > this.ctx.manager.processedTs && seen <= this.ctx.engine.latestTs()) {
      await Promise.race([this.ctx.manager.whenProcessed(seen), sleep(this.ctx.limits.maxObservedWaitMs)]);
    }
  }

  private onModifyQuerySet(m: ModifyQuerySetMessage): void {
    if (m.baseVersion !== this.received.querySet) {
      throw new ProtocolError(
        "BaseVersionMismatch",
        `ModifyQuerySet base version ${m.baseVersion}, expected ${this.received.querySet}`,
      );
    }
    if (m.newVersion <= m.baseVersion) throw new ProtocolError("InvalidVersion", "ModifyQuerySet newVersion must grow");
    for (const c of m.modifications) {
      if (c.type === "Add") {
        if (this.declared.has(c.queryId)) throw new ProtocolError("DuplicateQueryId", `query ${c.queryId} added twice`);
        this.declared.add(c.queryId);
      } else {
        if (!this.declared.delete(c.queryId)) throw new ProtocolError("UnknownQueryId", `no query ${c.queryId}`);
      }
    }
    this.pending.changes.push(...m.modifications);
    this.received.querySet = m.newVersion;
    this.schedule();
  }

  private async onAuthenticate(m: AuthenticateMessage): Promise<void> {
    if (m.baseVersion !== this.received.identity) {
      throw new ProtocolError(
        "BaseVersionMismatch",
        `Authenticate base version ${m.baseVersion}, expected ${this.received.identity}`,
      );
    }
    const outcome = await resolveIdentity(m, this.ctx.auth);
    if (!this.isOpen) return;
    if (!outcome.ok) {
      this.ctx.counters.authErrors++;
      this.out.send(out.authError(outcome.error, this.sent.identity, true));
      return this.close(undefined, "auth failed");
    }
    this.pending.identity = outcome.identity;
    this.received.identity = m.baseVersion + 1;
    this.schedule();
  }

  // ---- mutations and actions -------------------------------------------------------------

  private enqueueMutation(m: FunctionRequestMessage): void {
    if (this.mutations.length >= this.ctx.limits.maxQueuedMutations) {
      return this.close(1013, "TooManyConcurrentRequests: too many queued mutations");
    }
    this.mutations.push({ message: m, identity: this.pending.identity });
    if (!this.mutationLoop) void this.runMutations();
  }

  private async runMutations(): Promise<void> {
    this.mutationLoop = true;
    try {
      while (this.mutations.length) {
        const phase = this.phase;
        if (phase.kind !== "open") break;
        const { message, identity } = this.mutations.shift()!;
        if (isExpired(identity)) return this.expired();
        let responded!: () => void;
        this.runningMutation = {
          startTs: this.ctx.engine.latestTs(),
          responded: new Promise<void>((r) => (responded = r)),
        };
        try {
          const result = await this.ctx.inflight.run(phase.sessionId, message.requestId, () =>
            this.ctx.engine.runMutation({
              path: message.udfPath,
              args: message.args,
              identity,
              allowInternal: identity.kind === "admin",
              idempotencyKey: { sessionId: phase.sessionId, requestId: message.requestId },
            }),
          );
          this.ctx.counters.mutations++;
          this.out.send(out.mutationResponse(message.requestId, result, result.ts));
          // The Transition that reaches the commit timestamp resolves the client's promise.
          if (result.ok && result.ts !== null) {
            void this.ctx.manager.whenProcessed(result.ts).then(() => this.schedule());
          }
        } finally {
          this.runningMutation = null;
          responded();
        }
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.mutationLoop = false;
    }
  }

  private startAction(m: FunctionRequestMessage): void {
    if (this.actionsInFlight >= this.ctx.limits.maxInflightActions) {
      return this.close(1013, "TooManyConcurrentRequests: too many actions in flight");
    }
    const identity = this.pending.identity;
    if (isExpired(identity)) return this.expired();
    this.actionsInFlight++;
    this.ctx.engine
      .runAction({ path: m.udfPath, args: m.args, identity, allowInternal: identity.kind === "admin" })
      .then(
        (result) => {
          this.ctx.counters.actions++;
          this.out.send(out.actionResponse(m.requestId, result));
          this.schedule();
        },
        (e) => this.fail(e),
      )
      .finally(() => this.actionsInFlight--);
  }

  // ---- transitions -----------------------------------------------------------------------

  /** Subscriber: a result this connection shows stopped being current. */
  invalidated(exec: Execution): void {
    if (!this.isOpen) return;
    this.dirty.add(exec);
    this.schedule();
  }

  private schedule(): void {
    this.wantTransition = true;
    if (!this.computing && this.phase.kind === "open") void this.transitionLoop();
  }

  private async transitionLoop(): Promise<void> {
    this.computing = true;
    try {
      // Start after the current task: a commit notice invalidates several results in one
      // synchronous pass, and the Transition must see all of them (one consistent snapshot).
      await Promise.resolve();
      while (this.wantTransition && this.phase.kind === "open") {
        this.wantTransition = false;
        await this.sendTransition();
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.computing = false;
    }
  }

  private async sendTransition(): Promise<void> {
    const identity = this.pending.identity;
    if (isExpired(identity)) return this.expired();
    const { manager } = this.ctx;
    const ts = manager.processedTs;
    const end: out.StateVersion = { querySet: this.received.querySet, identity: this.received.identity, ts };
    const changes = this.pending.changes;
    this.pending.changes = [];
    const dirty = this.dirty;
    this.dirty = new Set();

    const modifications: string[] = [];
    const needed = new Set<ActiveQuery>();
    if (end.identity !== this.sent.identity) {
      // A new identity re-runs everything (results may depend on it).
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
        const q: ActiveQuery = { queryId: c.queryId, udfPath: c.udfPath, args: c.args, journal: c.journal, exec, lastHash: null };
        this.queries.set(c.queryId, q);
        needed.add(q);
      } else {
        const q = this.queries.get(c.queryId);
        if (q) {
          this.detach(q);
          this.queries.delete(c.queryId);
          needed.delete(q);
        }
        modifications.push(out.queryRemoved(c.queryId));
      }
    }
    for (const exec of dirty) {
      for (const id of this.byExec.get(exec) ?? []) needed.add(this.queries.get(id)!);
    }

    const list = [...needed];
    // One query (the common case) awaits its result directly: no Promise.all and arrays for each
    // of thousands of connections a commit wakes at once.
    const results: SharedResult[] =
      list.length === 1 ? [await manager.resultAt(list[0]!.exec, ts)] : await Promise.all(list.map((q) => manager.resultAt(q.exec, ts)));
    if (this.phase.kind !== "open") return;
    list.forEach((q, i) => {
      const r = results[i]!;
      if (r.hash === q.lastHash) return;
      q.lastHash = r.hash;
      modifications.push(`{"queryId":${q.queryId}${r.wireTail}`);
    });

    // Never overtake the response of a mutation that may commit at or before `ts`.
    while (this.runningMutation && ts > this.runningMutation.startTs) await this.runningMutation.responded;
    if (this.phase.kind !== "open") return;
    const text = out.transitionMessage(this.sent, end, modifications, this.phase.clientClockSkew);
    this.sendMaybeChunked(text);
    this.sent = end;
    this.ctx.counters.transitions++;
  }

  private sendMaybeChunked(text: string): void {
    const limit = this.ctx.limits.transitionChunkBytes;
    if (!this.supportsChunks || text.length <= limit / 3 || Buffer.byteLength(text) <= limit) {
      this.out.send(text);
      return;
    }
    for (const chunk of out.transitionChunks(text, limit, randomUUID())) if (!this.out.send(chunk)) return;
  }

  private attach(queryId: number, udfPath: string, args: ActiveQuery["args"], journal: string | null, identity: Identity) {
    const exec = this.ctx.manager.acquire({ path: udfPath, args, identity, journal }, this);
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
      this.dirty.delete(q.exec);
      this.ctx.manager.release(q.exec, this);
    }
  }

  /** The user token the client authenticated with last, if any. */
  get userToken(): string | null {
    const identity = this.pending.identity;
    return identity.kind === "user" ? identity.token : null;
  }

  /** `token` is refused by the current auth providers: end it as an expiry. True if it was still in use. */
  revokeUser(token: string, error: string): boolean {
    if (!this.isOpen || this.userToken !== token) return false;
    this.ctx.counters.authErrors++;
    this.out.send(out.authError(error, this.sent.identity, false));
    this.close(undefined, "token refused");
    return true;
  }

  // ---- endings ---------------------------------------------------------------------------

  /** The identity's token expired: tell the client to refresh, then close (research §2.7). */
  private expired(): void {
    this.ctx.counters.authErrors++;
    this.out.send(out.authError(TOKEN_EXPIRED, this.sent.identity, false));
    this.close(undefined, "token expired");
  }

  private overloaded(): void {
    this.ctx.counters.overloadCloses++;
    this.close(OVERLOAD_CLOSE.code, OVERLOAD_CLOSE.reason);
  }

  /** FatalError for protocol violations; anything else is our fault (1011, client retries). */
  fail(e: unknown): void {
    if (!this.isOpen) return;
    if (e instanceof ProtocolError) {
      this.ctx.counters.fatalErrors++;
      this.ctx.log.debug("protocol violation", { code: e.code, message: e.message });
      this.out.send(out.fatalError(`${e.code}: ${e.message}`));
      return this.close(undefined, e.code);
    }
    this.ctx.log.error("sync connection failed", { error: e instanceof Error ? e : String(e) });
    this.close(1011, isTandemError(e) && e.kind === "Unavailable" ? e.code : "InternalServerError");
  }

  /** Ends the connection: stops all work and closes the socket (no code = 1005 at the client). */
  close(code?: number, reason = ""): void {
    if (!this.isOpen) return;
    this.shutdown(reason || String(code ?? "closed"));
    if (code === undefined) this.ws.close();
    else this.ws.close(code, reason.slice(0, 123));
    // A client that does not read cannot complete the closing handshake either.
    setTimeout(() => this.ws.terminate(), 5000).unref();
  }

  private shutdown(reason: string): void {
    if (!this.isOpen) return;
    this.phase = { kind: "closed", reason };
    this.mutations = [];
    this.inbox = [];
    for (const q of this.queries.values()) this.detach(q);
    this.queries.clear();
    this.dirty.clear();
  }
}
