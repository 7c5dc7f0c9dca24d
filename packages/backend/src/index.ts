/** @tandem/backend: the reactive backend (engine, sync, HTTP and push APIs, auth verification). */
export * from "./engine/index.js";
export * from "./auth/index.js";
export * from "./values/index.js";
export * from "./sync/index.js";
export * from "./server/index.js";
export { ManualClock, systemClock, type Clock, type JobDocument, type JobState } from "./scheduler/index.js";
export {
  backupDataDir,
  restoreDataDir,
  BackupError,
  BACKUP_FORMAT_VERSION,
  type BackupErrorCode,
  type BackupManifest,
  type BackupResult,
} from "./backup/index.js";
