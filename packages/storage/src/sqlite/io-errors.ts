/**
 * SQLite's errors from the machine (full disk, read-only or failing filesystem) as `TandemError`s
 * with a message a writer can act on. Without this they reached clients as an anonymous internal
 * error. The transaction that hit them was rolled back; nothing half-written stays.
 */
import { accessSync, constants, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { storageError } from "../errors.js";

/** How every refused write's message starts (the scheduler keeps a job refused so pending). */
export const WRITE_REFUSED = "The database could not be written";

function sqliteCode(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : null;
}

/** True when the filesystem holding `path` has no block left for us (false when unknown). */
function diskFull(path: string | undefined): boolean {
  if (!path || path === ":memory:") return false;
  try {
    return statfsSync(dirname(path)).bavail === 0;
  } catch {
    return false;
  }
}

/**
 * The error to throw for `e`: a storage error when the machine refused the write, else `e`.
 * `path` (the database file) lets an I/O error on a full disk be named as such: SQLite reports
 * some of those (growing its shared-memory file, say) as SQLITE_IOERR_*, not SQLITE_FULL.
 */
export function machineError(e: unknown, path?: string): unknown {
  const code = sqliteCode(e);
  if (code === null) return e;
  if (code === "SQLITE_FULL" || (code.startsWith("SQLITE_IOERR") && diskFull(path)))
    return storageError(
      "Unavailable",
      "StorageFull",
      `${WRITE_REFUSED}: the disk holding the data folder is full. Writes resume once space is freed.`,
    );
  if (code.startsWith("SQLITE_READONLY"))
    return storageError("Unavailable", "StorageReadOnly", `${WRITE_REFUSED}: the data folder is read-only (${code}).`);
  if (code.startsWith("SQLITE_IOERR"))
    return storageError("Unavailable", "StorageIoError", `${WRITE_REFUSED}: the disk reported an I/O error (${code}).`);
  return e;
}

/** Runs a write on the database at `path`, translating the machine's refusals. */
export function writing<T>(write: () => T, path?: string): T {
  try {
    return write();
  } catch (e) {
    throw machineError(e, path);
  }
}

/**
 * The error to throw when opening the database for writing failed: a read-only or unwritable
 * folder is named as such (SQLite only says "unable to open database file"). Startup only: the
 * message names the path, for the operator.
 */
export function openError(path: string, e: unknown): unknown {
  const code = sqliteCode(e);
  if (code !== "SQLITE_CANTOPEN" && !code?.startsWith("SQLITE_READONLY")) return machineError(e, path);
  let why =
    code === "SQLITE_CANTOPEN"
      ? `SQLite could not open it for writing (${code})`
      : `the file or its folder is read-only (${code})`;
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    why =
      errno === "EROFS"
        ? "its folder is on a read-only filesystem"
        : errno === "ENOENT"
          ? "its folder does not exist"
          : `its folder is not writable (${errno})`;
  }
  return storageError(
    "Unavailable",
    "StorageReadOnly",
    `Cannot open the database ${path}: ${why}. The data folder must be writable.`,
  );
}
