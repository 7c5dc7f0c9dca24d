/**
 * Scheduled functions, crons and files as the dashboard lists them. They read the
 * `_scheduled_functions` and `_storage` system tables when the scheduler and file storage have
 * created them (empty pages otherwise), and crons through `CronJobSource` (the scheduler's, with run state).
 */
import type { ConvexJSON, Storage } from "@tandem/storage";
import type { Deployment } from "../engine/deployment.js";
import type { SystemFunctionRegistry, SystemReads } from "../engine/types.js";
import { argsObject, optionalString, pageOpts, rootComponentOnly } from "./args.js";
import { matches, type FilterClause } from "./filters.js";
import { scanTable } from "./table-scan.js";

/** The cron jobs: each pushed spec with its last and next runs. */
export type CronJobSource = () => Promise<ConvexJSON[]>;

export interface FrontendSystemTableDeps {
  readonly storage: Storage;
  readonly live: () => Deployment | null;
  readonly cronJobs: CronJobSource;
}

async function systemTablePage(
  storage: Storage,
  reads: SystemReads,
  table: string,
  raw: ConvexJSON,
  clauses: FilterClause[] = [],
): Promise<ConvexJSON> {
  const args = argsObject(raw);
  rootComponentOnly(args);
  const { cursor, numItems } = pageOpts(args);
  const r = await scanTable(storage, reads, table, "desc", cursor, numItems);
  return { page: r.docs.filter((d) => matches(d, clauses)), isDone: r.isDone, continueCursor: r.continueCursor };
}

export function registerFrontendSystemTables(registry: SystemFunctionRegistry, deps: FrontendSystemTableDeps): void {
  const { storage } = deps;
  registry.registerSystemFunction("_system/frontend/listCronJobs", {
    kind: "query",
    handler: async (raw) => {
      rootComponentOnly(argsObject(raw));
      return deps.cronJobs();
    },
  });
  registry.registerSystemFunction("_system/frontend/paginatedScheduledJobs", {
    kind: "query",
    handler: async (raw, { reads }) => {
      const udfPath = optionalString(argsObject(raw), "udfPath");
      return systemTablePage(
        storage,
        reads,
        "_scheduled_functions",
        raw,
        udfPath ? [{ field: "name", op: "eq", value: udfPath }] : [],
      );
    },
  });
  registry.registerSystemFunction("_system/frontend/fileStorageV2:fileMetadata", {
    kind: "query",
    handler: async (raw, { reads }) => systemTablePage(storage, reads, "_storage", raw),
  });
}
