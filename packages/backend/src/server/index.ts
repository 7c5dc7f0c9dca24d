/** Composing one deployment: storage, engine, HTTP API, sync and push on their ports. */
export {
  startBackend,
  defaultFunctionThreads,
  DATABASE_FILE,
  type Backend,
  type BackendOptions,
} from "./start-backend.js";
export { loadOrCreateAdminKey, generateAdminKey, ADMIN_KEY_FILE } from "./admin-key.js";
export { BACKEND_VERSION } from "./version.js";
