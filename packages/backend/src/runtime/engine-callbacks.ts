/** What a function's execution calls back into the engine for (actions' `ctx.run*`, vector search, storage). */
import type {
  ActionRequest,
  ActionResult,
  MutationRequest,
  MutationResult,
  QueryRequest,
  QueryResult,
} from "../engine/types.js";
import type { StorageCall, StorageCallResult } from "../files/index.js";
import type { VectorSearchRequest, VectorSearchResult } from "../search/search-request.js";

/** What actions reach through `ctx.runQuery/runMutation/runAction`. */
export interface EngineCallbacks {
  runQuery(req: QueryRequest): Promise<QueryResult>;
  runMutation(req: MutationRequest): Promise<MutationResult>;
  runAction(req: ActionRequest): Promise<ActionResult>;
  /** `ctx.vectorSearch` (absent where no search indexes are reachable). */
  vectorSearch?(req: VectorSearchRequest): Promise<VectorSearchResult>;
  /** `ctx.storage` in actions (served where `_storage` rows are committed). */
  storage?(call: StorageCall): Promise<StorageCallResult>;
}
