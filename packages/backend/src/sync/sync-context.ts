/** What every sync connection of one server shares: the engine, the live queries, limits and counters. */
import type { Logger } from "@tandem/shared";
import type { Engine } from "../engine/types.js";
import type { SubscriptionManager } from "../subscriptions/manager.js";
import type { AuthCallbacks } from "./authenticate.js";
import type { InflightMutations } from "./inflight-mutations.js";

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
  /** Milliseconds since the epoch, for token expiry (tests inject one). */
  readonly now: () => number;
  /**
   * The connection's socket closed: the server stops tracking it (its one `close` listener calls
   * this with itself; typed loosely so this file needs no import of the connection).
   */
  readonly forget: (conn: object) => void;
}
