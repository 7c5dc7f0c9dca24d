/**
 * The `_system/frontend/*` functions the dashboard and the public graders call (admin key only:
 * the engine refuses every other identity before a handler runs).
 */
import type { DocumentJSON, Storage } from "@tandem/storage";
import type { Deployment } from "../engine/deployment.js";
import type { EngineAdmin, SystemFunctionRegistry } from "../engine/types.js";
import { registerFrontendReads } from "./frontend-read.js";
import { registerFrontendSchema } from "./frontend-schema.js";
import { registerFrontendSystemTables, type CronJobSource } from "./frontend-system-tables.js";
import { registerFrontendWrites } from "./frontend-write.js";

export type { CronJobSource } from "./frontend-system-tables.js";
export { indexStates } from "./frontend-schema.js";
export { installAuthDoctor, type AuthDoctorDeps } from "./auth-doctor.js";

export interface FrontendSystemFunctionDeps {
  readonly storage: Storage;
  readonly engine: Pick<EngineAdmin, "commitExternal" | "catalogChanged">;
  readonly live: () => Deployment | null;
  readonly documentCheck: () => (table: string, doc: DocumentJSON) => void;
  readonly cronJobs: CronJobSource;
}

export function registerFrontendSystemFunctions(
  registry: SystemFunctionRegistry,
  deps: FrontendSystemFunctionDeps,
): void {
  registerFrontendReads(registry, deps.storage);
  registerFrontendWrites(registry, deps);
  registerFrontendSchema(registry, deps);
  registerFrontendSystemTables(registry, deps);
}
