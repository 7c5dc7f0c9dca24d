/**
 * `attachSyncServer`: the WebSocket sync endpoint on an existing `http.Server`, for upgrades to
 * `/api/<clientVersion>/sync` and `/api/sync`. One `SubscriptionManager` serves every connection.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { silentLogger, type Logger } from "@tandem/shared";
import type { Engine, UserIdentityAttributes } from "../engine/types.js";
import { SubscriptionManager, type SubscriptionStats } from "../subscriptions/manager.js";
import { connectionOf, SyncConnection } from "./connection.js";
import type { SyncCounters, SyncLimits } from "./sync-context.js";
import { InflightMutations } from "./inflight-mutations.js";
import { fatalError } from "./server-messages.js";
import { parseSyncPath } from "./sync-path.js";
import { recheckUsers } from "./recheck-users.js";
import { idleClockMs } from "./idle-clock.js";

export interface SyncServerOptions {
  engine: Engine;
  /** Verifies a user JWT; throws (ideally a `TandemError` with a client-safe message) when invalid. */
  authenticateUser(token: string): Promise<{ attributes: UserIdentityAttributes; expiresAt: number | null }>;
  /** Constant-time comparison against the deployment's admin key. */
  checkAdminKey(key: string): boolean;
  logger?: Logger;
  /** Outbound silence after which a `{"type":"Ping"}` is sent. Default 15 000 (docs/sync-protocol.md#server-messages). */
  pingIntervalMs?: number;
  /** Bound of one connection's unsent bytes; past it the connection is closed (1013). Default 16 MiB. */
  maxOutboundBytes?: number;
  /** Largest accepted client frame; larger ones end the connection with a FatalError. Default 32 MiB. */
  maxInboundBytes?: number;
  /** Transitions larger than this many bytes go out as TransitionChunks. Default 5 000 000. */
  transitionChunkBytes?: number;
  /** A client silent this long (no message, no pong) is dropped. Default 120 000. */
  clientTimeoutMs?: number;
  /** Wall clock (ms since the epoch) that token expiry is checked against. Default `Date.now`. */
  clock?: () => number;
}

export interface SyncServerStats extends SyncCounters {
  readonly connections: number;
  /** Subscribed queries over all connections. */
  readonly queries: number;
  readonly subscriptions: SubscriptionStats;
}

export interface SyncServer {
  /** Closes every sync connection (1001, the clients reconnect elsewhere) and stops listening for upgrades. */
  close(): Promise<void>;
  stats(): SyncServerStats;
  /** Verifies every user session's token again (auth providers changed); resolves to how many were dropped. */
  recheckUsers(authenticateUser: (token: string) => Promise<unknown>): Promise<number>;
}

/** ws closes the socket itself on framing errors; these get a FatalError first. */
const FRAMING_ERRORS: Record<number, string> = {
  1002: "InvalidMessage: malformed WebSocket frame",
  1007: "InvalidMessage: text frame is not valid UTF-8",
  1009: "MessageTooLarge: message exceeds the size limit",
};

export function attachSyncServer(server: Server, options: SyncServerOptions): SyncServer {
  const log = options.logger ?? silentLogger;
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  const clientTimeoutMs = options.clientTimeoutMs ?? 120_000;
  const limits: SyncLimits = {
    maxOutboundBytes: options.maxOutboundBytes ?? 16 * 1024 * 1024,
    transitionChunkBytes: options.transitionChunkBytes ?? 5_000_000,
    maxQueuedMutations: 1000,
    maxInflightActions: 1000,
    maxObservedWaitMs: 2000,
  };
  const counters: SyncCounters = {
    transitions: 0,
    fatalErrors: 0,
    overloadCloses: 0,
    authErrors: 0,
    mutations: 0,
    actions: 0,
  };
  const manager = new SubscriptionManager(options.engine, { logger: log });
  // Each connection's own socket is at hand through it: a set rather than a socket → connection map.
  const connections = new Set<SyncConnection>();
  const ctx = {
    engine: options.engine,
    manager,
    auth: { authenticateUser: options.authenticateUser, checkAdminKey: options.checkAdminKey },
    inflight: new InflightMutations(),
    log,
    limits,
    counters,
    now: options.clock ?? Date.now,
    forget: (conn: object) => void connections.delete(conn as SyncConnection),
  };
  // `connections` tracks the sockets: ws's own tracking would add a Set entry and a `close`
  // closure per socket (memory per idle connection, bench/README.md).
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxInboundBytes ?? 32 * 1024 * 1024,
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = parseSyncPath(req.url);
    if (!path) {
      // Someone else may serve other upgrade paths; answer only when nobody else listens.
      if (server.listenerCount("upgrade") === 1) socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.close = closeAnnouncing;
      connections.add(new SyncConnection(ws, ctx, path.supportsChunks));
    });
  };
  server.on("upgrade", onUpgrade);

  // One sweep for every connection, instead of a timer per socket.
  const tickMs = Math.max(10, Math.min(1000, Math.floor(pingIntervalMs / 4)));
  const sweep = setInterval(() => {
    const now = idleClockMs();
    for (const conn of connections) {
      const ws = conn.ws;
      if (now - conn.lastReceivedAt > clientTimeoutMs) ws.terminate();
      else if (now - conn.lastReceivedAt > clientTimeoutMs / 4) ws.ping();
      if (now - conn.lastSentAt >= pingIntervalMs) conn.sendPing();
    }
  }, tickMs);
  sweep.unref();

  return {
    async close() {
      server.off("upgrade", onUpgrade);
      clearInterval(sweep);
      const closed = [...connections].map(
        ({ ws }) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once("close", () => resolve());
            connectionOf(ws).close(1001, "server shutting down");
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000).unref();
          }),
      );
      await Promise.all(closed);
      manager.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    recheckUsers: (authenticateUser) => recheckUsers(connections, authenticateUser),
    stats() {
      let queries = 0;
      for (const conn of connections) queries += conn.queryCount;
      return { ...counters, connections: connections.size, queries, subscriptions: manager.stats() };
    },
  };
}

/**
 * Every sync socket's `close`: ws answers a malformed or oversized frame by closing the socket
 * itself (1002/1007/1009); this sends the FatalError first so the official client stops instead of
 * re-sending the same frame forever. Shared by every socket (no bound function and closure each);
 * it finds the counters through the socket's connection.
 */
function closeAnnouncing(this: WebSocket, code?: number, reason?: string | Buffer): void {
  const fatal = code === undefined ? undefined : FRAMING_ERRORS[code];
  if (fatal && this.readyState === WebSocket.OPEN) {
    connectionOf(this).ctx.counters.fatalErrors++;
    this.send(fatalError(fatal));
  }
  WebSocket.prototype.close.call(this, code, reason);
}
