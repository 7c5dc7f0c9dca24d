/**
 * A consistent copy of a SQLite database another process is writing to (`tandem backup`,
 * docs/operations.md#backup-and-restore), through SQLite's online backup API.
 */
import Sqlite from "better-sqlite3";

/**
 * Copies `source` to `destination` (a new file). A write by another connection restarts a backup
 * step, so every step after the first copies all pages at once: one read transaction, one instant.
 */
export async function backupSqliteFile(source: string, destination: string): Promise<void> {
  const db = new Sqlite(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    await db.backup(destination, { progress: () => 1 << 30 });
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of a database file: `null` when sound, else SQLite's first complaint. */
export function checkSqliteFile(path: string): string | null {
  const db = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
    const first = rows[0]?.integrity_check ?? "no answer";
    return first === "ok" ? null : first;
  } catch (e) {
    return (e as Error).message;
  } finally {
    db.close();
  }
}
