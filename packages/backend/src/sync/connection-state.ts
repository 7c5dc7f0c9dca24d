/**
 * State of one sync socket (docs/sync-protocol.md#connection-state). Nothing survives a reconnect except what the client
 * re-sends.
 *
 *   awaitingConnect ──Connect──▶ open ──FatalError | AuthError | overload | peer close──▶ closed
 *   awaitingConnect ──anything else, or peer close──────────────────────────────────────▶ closed
 *
 * While `open`, two version pairs move independently: `received` is what the client announced
 * (ModifyQuerySet.newVersion, one per successful Authenticate), `sent` is the `endVersion` of the
 * last Transition; each Transition moves `sent` up to a snapshot of `received`.
 *
 * Inside `open`, three parts run concurrently, each with its own small state union: the reader
 * (`idle | reading`, connection.ts), the mutation queue (`idle | running{startTs}`,
 * mutation-queue.ts) and the Transition loop (`idle | running{again}`, transition.ts).
 */
import type { ConvexJSON } from "@tandem/storage";
import type { Identity } from "../engine/types.js";
import type { Execution } from "../subscriptions/manager.js";
import type { QuerySetChange } from "./client-messages.js";
import type { StateVersion } from "./server-messages.js";

export type ConnectionPhase =
  | { readonly kind: "awaitingConnect" }
  | {
      readonly kind: "open";
      readonly sessionId: string;
      /** `Connect.clientTs - server now`, echoed in Transitions; null when the client sent none. */
      readonly clientClockSkew: number | null;
    }
  | { readonly kind: "closed"; readonly reason: string };

/** One subscribed query as the last Transition left it. */
export interface ActiveQuery {
  readonly queryId: number;
  readonly udfPath: string;
  readonly args: ConvexJSON;
  /** Journal the client sent with `Add` (pagination end cursor). */
  readonly journal: string | null;
  exec: Execution;
  /** Hash of the last result sent for it; null until the first. */
  lastHash: string | null;
}

export interface ClientVersions {
  querySet: number;
  identity: number;
}

/** What the client has asked for that the next Transition has not reflected yet. */
export interface PendingChanges {
  /** Query set changes in arrival order. */
  changes: QuerySetChange[];
  /** Identity to run queries with from `received.identity` on. */
  identity: Identity;
}

export type { StateVersion };
