/**
 * The scheduler's system tables (docs/semantics.md#scheduled-functions-and-crons). `_scheduled_functions` is the job queue
 * itself: a job is a document, so scheduling commits with the mutation that scheduled it and
 * pending work survives any restart. `_cron_jobs` holds each cron's next run.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentJSON, IndexInfo, Storage } from "@tandem/storage";

export const JOBS_TABLE = "_scheduled_functions";
export const CRONS_TABLE = "_cron_jobs";
/** Jobs by state then due time: the executor reads the pending ones in due order. */
export const JOBS_BY_STATE = "by_state";
const BY_STATE_FIELDS = ["state.kind", "scheduledTime", "_creationTime", "_id"];

export type JobState =
  | { readonly kind: "pending" }
  | { readonly kind: "inProgress" }
  | { readonly kind: "success" }
  | { readonly kind: "failed"; readonly error: string }
  | { readonly kind: "canceled" };

/** A `_scheduled_functions` document as Convex shapes it (`npm:server/schema.ts _systemSchema`). */
export type JobDocument = DocumentJSON & {
  /** Canonical udf path, `messages.js:send`. */
  name: string;
  /** `[argsObject]`. */
  args: ConvexJSON[];
  /** ms since epoch. */
  scheduledTime: number;
  completedTime?: number;
  state: JobState & { [k: string]: ConvexJSON };
};

/** Convex's limit on jobs scheduled by one function (`TRANSACTION_MAX_NUM_SCHEDULED`). */
export const MAX_SCHEDULED_PER_TRANSACTION = 1000;
/** `MAX_SCHEDULED_JOB_ARGUMENT_SIZE_BYTES`. */
export const MAX_JOB_ARGS_BYTES = 4 * 1024 * 1024;

/** Creates the tables and the executor's index (idempotent); true when something was created. */
export async function ensureSchedulerTables(storage: Storage): Promise<boolean> {
  const before = storage.indexes().length + storage.tables().length;
  await storage.ensureTable(JOBS_TABLE);
  await storage.ensureTable(CRONS_TABLE);
  await storage.addIndex(JOBS_TABLE, JOBS_BY_STATE, BY_STATE_FIELDS);
  return storage.indexes().length + storage.tables().length !== before;
}

export function jobsByState(storage: Pick<Storage, "indexes">): IndexInfo {
  const idx = storage.indexes(JOBS_TABLE).find((i) => i.name === JOBS_BY_STATE);
  if (!idx) throw new Error(`${JOBS_TABLE}.${JOBS_BY_STATE} is missing`);
  return idx;
}

export function byId(storage: Pick<Storage, "indexes">, table: string): IndexInfo {
  const idx = storage.indexes(table).find((i) => i.name === "by_id");
  if (!idx) throw new Error(`${table}.by_id is missing`);
  return idx;
}

/** `messages:send` / `messages` / `dir/x.js:f` → `messages.js:send` / `messages.js:default` / `dir/x.js:f`. */
export function canonicalName(path: string): string {
  const colon = path.lastIndexOf(":");
  const module = colon === -1 ? path : path.slice(0, colon);
  const fn = colon === -1 ? "default" : path.slice(colon + 1);
  if (!module || !fn || module.startsWith("_system"))
    throw badRequest("InvalidFunctionCall", `Cannot schedule function ${JSON.stringify(path)}.`);
  return `${module.endsWith(".js") ? module : `${module}.js`}:${fn}`;
}

/** `messages.js:send` → `messages:send` (as clients and logs name functions). */
export function displayName(canonical: string): string {
  return canonical.replace(/\.js(?=:|$)/, "");
}
