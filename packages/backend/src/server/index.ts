/** Composing one deployment: storage, engine, HTTP API, sync and push on their ports. */
export { startBackend, DATABASE_FILE, type Backend, type BackendOptions } from "./startBackend.js";
export { loadOrCreateAdminKey, generateAdminKey, ADMIN_KEY_FILE } from "./adminKey.js";
export { BACKEND_VERSION } from "./version.js";
