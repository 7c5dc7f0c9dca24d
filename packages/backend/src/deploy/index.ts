/** `npx convex dev|deploy`: the push state machine, its HTTP endpoints, the stored deployment and the CLI's system functions. */
export { PushService, type PushServiceDeps } from "./push-service.js";
export { deployRoutes, type DeployRouteDeps } from "./routes.js";
export { registerCliSystemFunctions, apiSpec, type SystemFunctionDeps } from "./system-functions.js";
export { loadDeployment, loadEnvironment, moduleHash, type StoredDeployment } from "./deployment-store.js";
