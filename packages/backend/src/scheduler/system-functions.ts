/**
 * Server functions of the scheduler: scheduling and canceling on behalf of an action (which has no
 * transaction of its own), and the crons as `_system/frontend/listCronJobs` lists them.
 */
import type { ConvexJSON, Storage } from "@tandem/storage";
import type { SystemFunctionRegistry } from "../engine/types.js";
import type { Clock } from "./clock.js";
import type { CronRunner } from "./crons.js";
import { cancelJob, scheduleJob } from "./schedule-ops.js";
import { CANCEL_FROM_ACTION, SCHEDULE_FROM_ACTION } from "./syscalls.js";
import { runSystemTransaction, type Committing } from "./system-transaction.js";

export function registerSchedulerSystemFunctions(
  registry: SystemFunctionRegistry,
  deps: { storage: Storage; engine: Committing; crons: CronRunner; clock: Clock },
): void {
  const { storage, engine } = deps;
  registry.registerSystemFunction(SCHEDULE_FROM_ACTION, {
    kind: "mutation",
    handler: async (args) => {
      const a = (args ?? {}) as Record<string, ConvexJSON>;
      return runSystemTransaction(storage, engine, (tx) => scheduleJob(tx, String(a.path), a.ts ?? null, a.args ?? {}));
    },
  });
  registry.registerSystemFunction(CANCEL_FROM_ACTION, {
    kind: "mutation",
    handler: async (args) => {
      const a = (args ?? {}) as Record<string, ConvexJSON>;
      return runSystemTransaction(storage, engine, (tx) => cancelJob(tx, a.id ?? null, Date.now()));
    },
  });
}

/** The crons as the dashboard lists them (`_system/frontend/listCronJobs`), by name: the app's, or one component instance's. */
export async function listCronJobs(crons: CronRunner, component = ""): Promise<ConvexJSON[]> {
  const all = (await crons.list())
    .filter((c) => (c.component ?? "") === component)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return all.map((c) => ({
    _id: c._id,
    _creationTime: c._creationTime,
    name: c.name,
    cronSpec: c.cronSpec,
    lastRun: c.lastRun,
    nextRun: {
      _id: c._id,
      _creationTime: c._creationTime,
      cronJobId: c._id,
      state: { type: "pending" },
      prevTs: c.prevTs,
      nextTs: c.nextTs,
    },
  })) as unknown as ConvexJSON[];
}
