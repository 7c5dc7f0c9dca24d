/**
 * Server → client messages as they travel (JSON, timestamps as base64 u64 strings), the shapes the
 * official client's `parseServerMessage` (convex/src/browser/sync/protocol.ts) reads. The encoders
 * in `server-messages.ts` build text directly for speed; these types are what that text must parse
 * to, checked by `test/sync/server-messages.test.ts`.
 */
import type { ConvexJSON } from "@tandem/storage";

/** base64 of the 8 little-endian bytes of a u64 (`ts-codec.ts`). */
export type EncodedTs = string;

export interface WireStateVersion {
  readonly querySet: number;
  readonly identity: number;
  readonly ts: EncodedTs;
}

export interface QueryUpdated {
  readonly type: "QueryUpdated";
  readonly queryId: number;
  readonly value: ConvexJSON;
  readonly logLines: readonly string[];
  readonly journal: string | null;
}

export interface QueryFailed {
  readonly type: "QueryFailed";
  readonly queryId: number;
  readonly errorMessage: string;
  readonly logLines: readonly string[];
  readonly journal: string | null;
  /** Only when the function threw a `ConvexError`. */
  readonly errorData?: ConvexJSON;
}

export interface QueryRemoved {
  readonly type: "QueryRemoved";
  readonly queryId: number;
}

export type StateModification = QueryUpdated | QueryFailed | QueryRemoved;

export interface Transition {
  readonly type: "Transition";
  readonly startVersion: WireStateVersion;
  readonly endVersion: WireStateVersion;
  readonly modifications: readonly StateModification[];
  /** Omitted (never null) when the client sent no `clientTs`. */
  readonly clientClockSkew?: number;
  /** Server time in nanoseconds. */
  readonly serverTs?: number;
}

export interface TransitionChunk {
  readonly type: "TransitionChunk";
  readonly chunk: string;
  readonly partNumber: number;
  readonly totalParts: number;
  readonly transitionId: string;
}

export type MutationResponse =
  | {
      readonly type: "MutationResponse";
      readonly requestId: number;
      readonly success: true;
      readonly result: ConvexJSON;
      readonly ts: EncodedTs;
      readonly logLines: readonly string[];
    }
  | {
      readonly type: "MutationResponse";
      readonly requestId: number;
      readonly success: false;
      /** The error message, with the `[Request ID: …] Server Error` prefix. */
      readonly result: string;
      /** Not read by the client; sent for symmetry with the success case. */
      readonly ts: null;
      readonly logLines: readonly string[];
      readonly errorData?: ConvexJSON;
    };

export type ActionResponse =
  | {
      readonly type: "ActionResponse";
      readonly requestId: number;
      readonly success: true;
      readonly result: ConvexJSON;
      readonly logLines: readonly string[];
    }
  | {
      readonly type: "ActionResponse";
      readonly requestId: number;
      readonly success: false;
      readonly result: string;
      readonly logLines: readonly string[];
      readonly errorData?: ConvexJSON;
    };

export interface AuthError {
  readonly type: "AuthError";
  readonly error: string;
  readonly baseVersion: number;
  /** True when answering an `Authenticate`; false when an identity expired while in use. */
  readonly authUpdateAttempted: boolean;
}

export interface FatalError {
  readonly type: "FatalError";
  readonly error: string;
}

export interface Ping {
  readonly type: "Ping";
}

export type ServerMessage =
  Transition | TransitionChunk | MutationResponse | ActionResponse | AuthError | FatalError | Ping;
