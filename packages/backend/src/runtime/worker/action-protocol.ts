/** Messages between the engine (main thread) and an action thread. */
import type { ConvexJSON } from "@tandem/storage";
import type { Deployment } from "../../engine/deployment.js";
import type {
  ActionRequest,
  ActionResult,
  Identity,
  MutationRequest,
  MutationResult,
  QueryRequest,
  QueryResult,
} from "../../engine/types.js";
import type { FunctionPath } from "../paths.js";
import type { JobOutcome } from "./protocol.js";
import type { HttpActionJob, HttpActionOutcome } from "../../http-actions/types.js";
import type { VectorSearchRequest, VectorSearchResult } from "../../search/search-request.js";
import type { StorageCall, StorageCallResult } from "../../files/index.js";

export interface ActionJob {
  readonly path: FunctionPath;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  /** Component instance of the function (`""` or absent: the app). */
  readonly component?: string;
}

export type EngineCall =
  | { readonly method: "runQuery"; readonly req: QueryRequest }
  | { readonly method: "runMutation"; readonly req: MutationRequest }
  | { readonly method: "runAction"; readonly req: ActionRequest }
  | { readonly method: "vectorSearch"; readonly req: VectorSearchRequest }
  | { readonly method: "storage"; readonly call: StorageCall };

/** A vector search's results, or why it failed (errors cross the thread as text). */
export type VectorSearchOutcome =
  { readonly ok: true; readonly value: VectorSearchResult } | { readonly ok: false; readonly message: string };

export type EngineCallResult = QueryResult | MutationResult | ActionResult | StorageCallResult | VectorSearchOutcome;

export type ToActionWorker =
  | { readonly type: "deploy"; readonly deployment: Deployment }
  | { readonly type: "env"; readonly env: Readonly<Record<string, string>> }
  | { readonly type: "run"; readonly id: number; readonly job: ActionJob }
  /** The request body (when any) is transferred with the message. */
  | {
      readonly type: "http";
      readonly id: number;
      readonly job: HttpActionJob;
      readonly body: ReadableStream<Uint8Array> | null;
    }
  | { readonly type: "callResult"; readonly id: number; readonly result: EngineCallResult };

export type FromActionWorker =
  | { readonly type: "done"; readonly id: number; readonly out: JobOutcome }
  /** The response body (when any) is transferred with the message and streams after it. */
  | { readonly type: "httpDone"; readonly id: number; readonly out: HttpActionOutcome }
  | ({ readonly type: "call"; readonly id: number } & EngineCall)
  /** Sent every few hundred ms while the thread's event loop turns: silence means it is blocked. */
  | { readonly type: "heartbeat" };
