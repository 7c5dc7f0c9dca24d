/** `npx convex import|export|data`: parsing and applying imports, snapshot exports, their routes and system functions. */
export { ImportService, MAX_IMPORT_BYTES, type ImportServiceDeps, type ImportState } from "./import-service.js";
export { ExportService } from "./export-service.js";
export { ExternalCommits } from "./external-commits.js";
export { dataRoutes, type DataRouteDeps } from "./routes.js";
export { registerDataSystemFunctions, type DataSystemFunctionDeps } from "./system-functions.js";
