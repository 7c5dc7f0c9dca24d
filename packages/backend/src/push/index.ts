/** The push/deploy API the official `convex` CLI drives, env vars, log streaming and CLI system functions. */
export { PushService, type PushServiceDeps } from "./pushService.js";
export { pushRoutes, type PushRouteDeps } from "./routes.js";
export { LogStream, type FunctionExecutionJson } from "./logStream.js";
export { EnvironmentVariables, applyEnvChanges, checkEnvName, ENV_LIMITS, type EnvChange } from "./environment.js";
export { registerCliSystemFunctions, apiSpec, type SystemFunctionDeps } from "./systemFunctions.js";
export { loadDeployment, loadEnvironment, moduleHash, type StoredDeployment } from "./deploymentStore.js";
export { ImportService, MAX_IMPORT_BYTES, type ImportServiceDeps, type ImportState } from "./importService.js";
export { ExportService } from "./exportService.js";
export { ExternalCommits } from "./externalCommits.js";
export { dataRoutes, type DataRouteDeps } from "./dataRoutes.js";
export { registerDataSystemFunctions, type DataSystemFunctionDeps } from "./dataSystemFunctions.js";
