/**
 * State of one sync socket (docs/sync-protocol.md#connection-state). Nothing survives a reconnect except what the client
 * re-sends.
 *
 *   awaitingConnect ──Connect──▶ open ──FatalError | AuthError | overload | peer close──▶ closed
 *   awaitingConnect ──anything else, or peer close──────────────────────────────────────▶ closed
 *
 * While `open`, two version pairs move independently: the received versions are what the client
 * announced (ModifyQuerySet.newVersion, one per successful Authenticate), the sent ones the
 * `endVersion` of the last Transition; each Transition moves the sent pair up to a snapshot of the
 * received one. Both are plain fields of the connection and its Transition sender rather than
 * objects of their own: an idle connection should cost little (bench/README.md).
 *
 * Inside `open`, three parts run concurrently, each with its own small state union: the reader
 * (`idle | reading`, connection.ts), the mutation queue (`idle | running{startTs}`,
 * mutation-queue.ts) and the Transition loop (`idle | running{again}`, transition.ts).
 */
import type { Execution } from "../subscriptions/manager.js";
import type { StateVersion } from "./server-messages.js";

export type ConnectionPhase =
  | { readonly kind: "awaitingConnect" }
  | {
      readonly kind: "open";
      readonly sessionId: string;
      /**
       * `Connect.connectionCount` was 0: the session's first socket, so none of its mutations
       * can have been sent before and none has an idempotency record to look up.
       */
      readonly firstSocket: boolean;
      /** `Connect.clientTs - server now`, echoed in Transitions; null when the client sent none. */
      readonly clientClockSkew: number | null;
    }
  | { readonly kind: "closed"; readonly reason: string };

/**
 * One subscribed query as the last Transition left it. Its path, arguments and journal are those
 * of its execution (`exec.spec`): queries with the same key share one, so the connection keeps no
 * copy of its own.
 */
export interface ActiveQuery {
  readonly queryId: number;
  exec: Execution;
  /** Hash of the last result sent for it; null until the first. */
  lastHash: string | null;
}

export type { StateVersion };
