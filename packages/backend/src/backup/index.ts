export { backupDataDir, type BackupResult } from "./backup.js";
export { restoreDataDir } from "./restore.js";
export { BACKUP_FORMAT_VERSION, BackupError, type BackupErrorCode, type BackupManifest } from "./format.js";
