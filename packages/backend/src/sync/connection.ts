/**
 * One sync socket: reads client messages strictly in order (docs/sync-protocol.md#server-loop) and dispatches them;
 * owns the connection's lifecycle. Mutations run one at a time (`mutation-queue.ts`), actions
 * concurrently; Transitions are built in `transition.ts` from the query set (`query-set.ts`).
 *
 * Ordering rule for read-your-writes: a Transition past a mutation's commit timestamp is never
 * sent before that mutation's MutationResponse (docs/sync-protocol.md#transitions-and-ordering); see `mutation-queue.ts`.
 */
import type { WebSocket } from "ws";
import { isTandemError, sleep, unreachable } from "@tandem/shared";
import type { Identity } from "../engine/types.js";
import type { Timestamp } from "@tandem/storage";
import type { Execution, Subscriber } from "../subscriptions/manager.js";
import { isExpired, resolveIdentity, TOKEN_EXPIRED } from "./authenticate.js";
import {
  parseClientMessage,
  type AuthenticateMessage,
  type ClientMessage,
  type ConnectMessage,
  type FunctionRequestMessage,
  type ModifyQuerySetMessage,
} from "./client-messages.js";
import type { ConnectionPhase } from "./connection-state.js";
import { releaseFrameMask } from "./frame-mask.js";
import { idleClockMs } from "./idle-clock.js";
import { MutationQueue, type ResponseBarrier } from "./mutation-queue.js";
import { OVERLOAD_CLOSE, Outbound, type OverloadListener } from "./outbound.js";
import { ProtocolError } from "./protocol-error.js";
import { QuerySet } from "./query-set.js";
import * as wire from "./server-messages.js";
import type { SyncContext } from "./sync-context.js";
import { TransitionSender, type TransitionHost } from "./transition.js";

interface QueuedMutation {
  readonly message: FunctionRequestMessage;
  readonly identity: Identity;
}

/** Whether the inbound frames are being read (one reader at a time keeps them in order). */
type ReaderState = "idle" | "reading";

/**
 * The socket's listeners are shared by every connection (they find theirs through this key)
 * rather than four closures per socket: most sockets sit idle, and memory per idle connection
 * is what a server with many of them pays (bench/README.md).
 */
const CONNECTION = Symbol("SyncConnection");
type Owned = WebSocket & { [CONNECTION]: SyncConnection };
/** The connection a socket of the sync server belongs to. */
export const connectionOf = (ws: WebSocket): SyncConnection => (ws as Owned)[CONNECTION];
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  releaseFrameMask(this);
  connectionOf(this).onFrame(data, isBinary);
}
function onClose(this: WebSocket): void {
  const conn = connectionOf(this);
  conn.shutdown("peer closed");
  conn.ctx.forget(conn);
}
function onError(this: WebSocket, e: Error): void {
  connectionOf(this).ctx.log.debug("socket error", { error: e });
}
function onPong(this: WebSocket): void {
  releaseFrameMask(this);
  connectionOf(this).lastReceivedAt = idleClockMs();
}

/** The identity of a connection that has not authenticated (shared, not one object each). */
const NO_IDENTITY: Identity = { kind: "none" };

export class SyncConnection implements Subscriber, TransitionHost, ResponseBarrier, OverloadListener {
  phase: ConnectionPhase = { kind: "awaitingConnect" };
  readonly ws: WebSocket;
  readonly ctx: SyncContext;
  readonly outbound: Outbound;
  readonly supportsChunks: boolean;
  /** When a frame or pong last came in (`idleClockMs`). */
  lastReceivedAt = idleClockMs();

  /** Frames not read yet (null: none; most of the time). */
  private inbox: Array<{ data: Buffer; isBinary: boolean }> | null = null;
  private reader: ReaderState = "idle";

  /** Versions the client announced (ModifyQuerySet.newVersion, one per successful Authenticate). */
  receivedQuerySet = 0;
  receivedIdentity = 0;
  /** Identity to run queries with from `receivedIdentity` on; the next Transition reflects it. */
  identity: Identity = NO_IDENTITY;
  readonly queries: QuerySet;
  /** Made on the first mutation: many connections only ever subscribe. */
  private mutationQueue: MutationQueue<QueuedMutation> | null = null;
  private readonly transitions: TransitionSender;
  private actionsInFlight = 0;

  constructor(ws: WebSocket, ctx: SyncContext, supportsChunks: boolean) {
    this.ws = ws;
    this.ctx = ctx;
    this.supportsChunks = supportsChunks;
    this.outbound = new Outbound(ws, ctx.limits.maxOutboundBytes, this);
    this.queries = new QuerySet(ctx.manager, this);
    this.transitions = new TransitionSender(this);
    (ws as Owned)[CONNECTION] = this;
    ws.on("message", onMessage);
    ws.on("close", onClose);
    ws.on("error", onError);
    ws.on("pong", onPong);
  }

  private get mutations(): MutationQueue<QueuedMutation> {
    return (this.mutationQueue ??= new MutationQueue<QueuedMutation>({
      maxQueued: this.ctx.limits.maxQueuedMutations,
      latestTs: () => this.ctx.engine.latestTs(),
      admit: (m) => this.admitMutation(m),
      run: (m) => this.runMutation(m),
      fail: (e) => this.fail(e),
    }));
  }

  /** Transitions wait for the running mutation's response (none before the first mutation). */
  blockerFor(ts: Timestamp): Promise<void> | null {
    return this.mutationQueue?.blockerFor(ts) ?? null;
  }

  get isOpen(): boolean {
    return this.phase.kind !== "closed";
  }

  get queryCount(): number {
    return this.queries.size;
  }

  get lastSentAt(): number {
    return this.outbound.lastSentAt;
  }

  /** Keep-alive: a Ping after `pingIntervalMs` of outbound silence (docs/sync-protocol.md#server-messages). */
  sendPing(): void {
    if (this.phase.kind === "open") this.outbound.send(wire.PING);
  }

  // ---- inbound ---------------------------------------------------------------------------

  onFrame(data: Buffer, isBinary: boolean): void {
    if (!this.isOpen) return;
    this.lastReceivedAt = idleClockMs();
    (this.inbox ??= []).push({ data, isBinary });
    if (this.reader === "idle") void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    this.reader = "reading";
    try {
      for (let frame = this.inbox?.shift(); frame && this.isOpen; frame = this.inbox?.shift()) {
        if (frame.isBinary) throw new ProtocolError("BinaryFrame", "binary frames are not part of the protocol");
        await this.handle(parseClientMessage(frame.data.toString("utf8")));
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.reader = "idle";
      // A drained inbox goes, with the backing store its burst grew.
      if (this.inbox?.length === 0) this.inbox = null;
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
      firstSocket: m.connectionCount === 0,
      // Whole milliseconds, as Transitions echo it: a small integer, not a boxed double each.
      clientClockSkew: m.clientTs === null ? null : Math.round(m.clientTs - Date.now()),
    };
    // A client that saw a newer timestamp (another node, or before our restart) waits briefly for
    // us to catch up rather than being refused (docs/sync-protocol.md#reconnect).
    const seen = m.maxObservedTimestamp;
    // Only a timestamp we have committed can be waited for; one beyond our head (another
    // deployment, a reset dev store) is accepted at once rather than leaving a waiter behind.
    if (seen !== null && seen > this.ctx.manager.processedTs && seen <= this.ctx.engine.latestTs()) {
      await Promise.race([this.ctx.manager.whenProcessed(seen), sleep(this.ctx.limits.maxObservedWaitMs)]);
    }
  }

  private onModifyQuerySet(m: ModifyQuerySetMessage): void {
    if (m.baseVersion !== this.receivedQuerySet) {
      throw new ProtocolError(
        "BaseVersionMismatch",
        `ModifyQuerySet base version ${m.baseVersion}, expected ${this.receivedQuerySet}`,
      );
    }
    if (m.newVersion <= m.baseVersion) throw new ProtocolError("InvalidVersion", "ModifyQuerySet newVersion must grow");
    this.queries.declare(m.modifications);
    this.receivedQuerySet = m.newVersion;
    this.transitions.schedule();
  }

  private async onAuthenticate(m: AuthenticateMessage): Promise<void> {
    if (m.baseVersion !== this.receivedIdentity) {
      throw new ProtocolError(
        "BaseVersionMismatch",
        `Authenticate base version ${m.baseVersion}, expected ${this.receivedIdentity}`,
      );
    }
    const outcome = await resolveIdentity(m, this.ctx.auth, this.ctx.now);
    if (!this.isOpen) return;
    if (!outcome.ok) {
      this.ctx.counters.authErrors++;
      this.outbound.send(wire.authError(outcome.error, this.transitions.sentIdentity, true));
      return this.close(undefined, "auth failed");
    }
    this.identity = outcome.identity;
    this.receivedIdentity = m.baseVersion + 1;
    this.transitions.schedule();
  }

  // ---- mutations and actions -------------------------------------------------------------

  private enqueueMutation(m: FunctionRequestMessage): void {
    if (!this.mutations.enqueue({ message: m, identity: this.identity })) {
      this.close(1013, "TooManyConcurrentRequests: too many queued mutations");
    }
  }

  private admitMutation(m: QueuedMutation): boolean {
    if (this.phase.kind !== "open") return false;
    if (!isExpired(m.identity, this.ctx.now())) return true;
    this.expired();
    return false;
  }

  private async runMutation({ message, identity }: QueuedMutation): Promise<void> {
    const phase = this.phase;
    if (phase.kind !== "open") return;
    const result = await this.ctx.inflight.run(phase.sessionId, message.requestId, () =>
      this.ctx.engine.runMutation({
        path: message.udfPath,
        args: message.args,
        identity,
        allowInternal: identity.kind === "admin",
        idempotencyKey: { sessionId: phase.sessionId, requestId: message.requestId, firstSend: phase.firstSocket },
      }),
    );
    this.ctx.counters.mutations++;
    // The Transition that reaches the commit follows in the same burst: one write for both.
    if (result.ok && result.ts !== null) this.outbound.coalesce();
    this.outbound.send(wire.mutationResponse(message.requestId, result, result.ts));
    // The Transition that reaches the commit timestamp resolves the client's promise.
    if (result.ok && result.ts !== null) {
      void this.ctx.manager.whenProcessed(result.ts).then(() => this.transitions.schedule());
    }
  }

  private startAction(m: FunctionRequestMessage): void {
    if (this.actionsInFlight >= this.ctx.limits.maxInflightActions) {
      return this.close(1013, "TooManyConcurrentRequests: too many actions in flight");
    }
    const identity = this.identity;
    if (isExpired(identity, this.ctx.now())) return this.expired();
    this.actionsInFlight++;
    this.ctx.engine
      .runAction({ path: m.udfPath, args: m.args, identity, allowInternal: identity.kind === "admin" })
      .then(
        (result) => {
          this.ctx.counters.actions++;
          this.outbound.send(wire.actionResponse(m.requestId, result));
          this.transitions.schedule();
        },
        (e) => this.fail(e),
      )
      .finally(() => this.actionsInFlight--);
  }

  /** Subscriber: a result this connection shows stopped being current. */
  invalidated(exec: Execution): void {
    if (!this.isOpen) return;
    this.queries.invalidated(exec);
    this.transitions.schedule();
  }

  /** The user token the client authenticated with last, if any. */
  get userToken(): string | null {
    const identity = this.identity;
    return identity.kind === "user" ? identity.token : null;
  }

  /** `token` is refused by the current auth providers: end it as an expiry. True if it was still in use. */
  revokeUser(token: string, error: string): boolean {
    if (!this.isOpen || this.userToken !== token) return false;
    this.ctx.counters.authErrors++;
    this.outbound.send(wire.authError(error, this.transitions.sentIdentity, false));
    this.close(undefined, "token refused");
    return true;
  }

  // ---- endings ---------------------------------------------------------------------------

  /** The identity's token expired: tell the client to refresh, then close (docs/sync-protocol.md#auth-on-the-socket). */
  expired(): void {
    this.ctx.counters.authErrors++;
    this.outbound.send(wire.authError(TOKEN_EXPIRED, this.transitions.sentIdentity, false));
    this.close(undefined, "token expired");
  }

  /** Outbound: the client stopped reading. */
  overloaded(): void {
    this.ctx.counters.overloadCloses++;
    this.close(OVERLOAD_CLOSE.code, OVERLOAD_CLOSE.reason);
  }

  /** FatalError for protocol violations; anything else is our fault (1011, client retries). */
  fail(e: unknown): void {
    if (!this.isOpen) return;
    if (e instanceof ProtocolError) {
      this.ctx.counters.fatalErrors++;
      this.ctx.log.debug("protocol violation", { code: e.code, message: e.message });
      this.outbound.send(wire.fatalError(`${e.code}: ${e.message}`));
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

  shutdown(reason: string): void {
    if (!this.isOpen) return;
    this.phase = { kind: "closed", reason };
    this.mutationQueue?.clear();
    this.inbox = null;
    this.queries.clear();
  }
}
