/**
 * The scheduler syscalls. Mutations write the job into their own transaction; actions have none,
 * so they ask the engine to run the server's scheduling mutation (each call its own transaction,
 * like `ctx.runMutation`).
 */
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionKind } from "../engine/types.js";
import type { Transaction } from "../transactions/transaction.js";
import type { EngineCallbacks } from "../runtime/engine-callbacks.js";
import { cancelJob, scheduleJob } from "./schedule-ops.js";

export const SCHEDULE_FROM_ACTION = "_system/scheduler/schedule";
export const CANCEL_FROM_ACTION = "_system/scheduler/cancel";

export interface SchedulerSyscallContext {
  readonly kind: FunctionKind;
  readonly tx: Transaction | null;
  readonly engine: EngineCallbacks;
  readonly functionName: (args: Record<string, ConvexJSON>) => string;
}

export async function schedulerSyscall(
  op: string,
  args: Record<string, ConvexJSON>,
  c: SchedulerSyscallContext,
): Promise<unknown> {
  if (op === "1.0/schedule" || op === "1.0/cancel_job") {
    if (c.kind !== "mutation" || !c.tx) throw new Error(`Unknown async operation ${op}`);
    return op === "1.0/schedule"
      ? await scheduleJob(c.tx, c.functionName(args), args.ts ?? null, args.args ?? {})
      : await cancelJob(c.tx, args.id ?? null, c.tx.beginMs);
  }
  if (c.kind !== "action") throw new Error(`Unknown async operation ${op}`);
  const schedule = op === "1.0/actions/schedule";
  const r = await c.engine.runMutation({
    path: schedule ? SCHEDULE_FROM_ACTION : CANCEL_FROM_ACTION,
    args: schedule
      ? { path: c.functionName(args), ts: args.ts ?? null, args: args.args ?? {} }
      : { id: args.id ?? null },
    identity: { kind: "admin" },
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
