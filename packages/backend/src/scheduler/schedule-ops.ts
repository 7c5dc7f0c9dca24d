/**
 * `ctx.scheduler.runAfter / runAt / cancel` over a transaction (docs/semantics.md#scheduled-functions-and-crons: `1.0/schedule`,
 * `1.0/cancel_job`): a job is a `_scheduled_functions` document written in the caller's
 * transaction, so it exists exactly when that transaction commits.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentId } from "@tandem/storage";
import type { Transaction } from "../transactions/transaction.js";
import { tableOfId } from "../runtime/db-ops.js";
import {
  canonicalName,
  JOBS_TABLE,
  MAX_JOB_ARGS_BYTES,
  MAX_SCHEDULED_PER_TRANSACTION,
  type JobDocument,
} from "./tables.js";

const scheduledIn = new WeakMap<Transaction, number>();

/** Writes a pending job; `path` as the call named it, `ts` in Unix seconds (past ⇒ run now). */
export async function scheduleJob(tx: Transaction, path: string, ts: ConvexJSON, args: ConvexJSON): Promise<string> {
  const name = canonicalName(path);
  if (typeof ts !== "number" || !Number.isFinite(ts))
    throw badRequest("InvalidArgument", "The scheduled time must be a finite number of seconds since the epoch.");
  if (args === null || typeof args !== "object" || Array.isArray(args))
    throw badRequest("InvalidArgument", "Scheduled function arguments must be an object.");
  const size = Buffer.byteLength(JSON.stringify(args));
  if (size > MAX_JOB_ARGS_BYTES)
    throw badRequest(
      "TooManyBytesScheduled",
      `Scheduled function arguments are too large (${size} bytes > maximum ${MAX_JOB_ARGS_BYTES} bytes).`,
    );
  const count = (scheduledIn.get(tx) ?? 0) + 1;
  if (count > MAX_SCHEDULED_PER_TRANSACTION)
    throw badRequest(
      "TooManyFunctionsScheduled",
      `Too many functions scheduled by this function (limit: ${MAX_SCHEDULED_PER_TRANSACTION}).`,
    );
  scheduledIn.set(tx, count);
  await tx.catalog.ensureTable(JOBS_TABLE);
  const id = tx.catalog.newId(JOBS_TABLE);
  const doc: JobDocument = {
    _id: id,
    _creationTime: tx.nextCreationTime(),
    name,
    args: [args],
    scheduledTime: ts * 1000,
    state: { kind: "pending" },
  };
  await tx.write(id, JOBS_TABLE, doc, null);
  return id;
}

/** Pending or running ⇒ canceled (a running action keeps running); finished jobs stay as they are. */
export async function cancelJob(tx: Transaction, id: ConvexJSON, nowMs: number): Promise<null> {
  const resolved = tableOfId(tx, id, "scheduler.cancel", JOBS_TABLE);
  const doc = (await tx.get(resolved.id, JOBS_TABLE)) as JobDocument | null;
  if (!doc) return null;
  if (doc.state.kind === "pending" || doc.state.kind === "inProgress") {
    const next: JobDocument = { ...doc, state: { kind: "canceled" }, completedTime: nowMs };
    await tx.write(resolved.id as DocumentId, JOBS_TABLE, next, doc);
  }
  return null;
}
