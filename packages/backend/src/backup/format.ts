/**
 * The `tandem backup` file (docs/operations.md#backup-format): a ZIP holding `tandem-backup.json`
 * (this manifest) and the data folder's files under `data/`. Bump the version on any change a
 * restore must know about; restores read every version up to their own.
 */
export const BACKUP_FORMAT = "tandem-backup";
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = "tandem-backup.json";
export const DATA_PREFIX = "data/";

export interface BackupEntry {
  /** Relative to the data folder, `/`-separated. */
  readonly path: string;
  /** `sqlite`: a database copied with the online backup API; `file`: copied as is. */
  readonly kind: "sqlite" | "file";
  readonly bytes: number;
  readonly sha256: string;
}

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  /** The Tandem that wrote it (for the operator; restore checks `version`). */
  readonly tandemVersion: string;
  readonly createdAt: string;
  readonly entries: readonly BackupEntry[];
}

export type BackupErrorCode =
  "NotADataFolder" | "OutputExists" | "NotABackup" | "UnsupportedVersion" | "Corrupt" | "TargetNotEmpty";

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "BackupError";
  }
}

/** SQLite databases and the sidecars a live database keeps next to them (never copied raw). */
export const isDatabase = (path: string) => /\.sqlite3?$/.test(path);
export const isSidecar = (path: string) => /\.sqlite3?-(wal|shm|journal)$/.test(path);
/** Upload spool: half-written temporary files, never data. */
export const isTransient = (path: string) => path.split("/").includes("files-spool");

/** A manifest path is relative, `/`-separated and stays inside the data folder. */
export function isSafePath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  return path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}
