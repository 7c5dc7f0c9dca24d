/**
 * Opens a SQLite-backed `Storage`. WAL + synchronous=NORMAL: a commit survives a crash of the
 * process (not of the OS), and readers never block the writer. Several connections may share one
 * file — e.g. read-only ones in worker threads — with one writer at a time.
 */
import Sqlite from "better-sqlite3";
import type { Storage } from "../types.js";
import { MvccStorage } from "../store/store.js";
import { SqliteDialect } from "./dialect.js";
import { SCHEMA } from "./schema.js";
import { prepareStatements } from "./statements.js";
import { openError } from "./io-errors.js";
import { startCheckpointer, WRITER_CHECKPOINT_PAGES, type Checkpointer } from "./checkpointer.js";

export interface SqliteStorageOptions {
  /** Database file; `":memory:"` for a private in-memory store. */
  readonly path: string;
  /** Opens an existing file for reads only (commits and schema changes throw `ReadOnlyStorage`). */
  readonly readonly?: boolean;
  /** How long to wait for another connection's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL from a background thread this often (ms; default 250); 0 leaves
   * checkpoints to the writer (SQLite's default). Writable file-backed stores only.
   */
  readonly checkpointIntervalMs?: number;
}

export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const readonly = options.readonly ?? false;
  let db: Sqlite.Database;
  try {
    db = new Sqlite(options.path, { readonly, fileMustExist: readonly });
  } catch (e) {
    throw openError(options.path, e);
  }
  let checkpointer: Checkpointer | null = null;
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // Reads through a memory map and a larger page cache: fewer read syscalls on every B-tree
    // walk (durability is unchanged: it is set by the journal mode and synchronous below).
    db.pragma("cache_size = -65536");
    db.pragma("mmap_size = 268435456");
    if (!readonly) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec(SCHEMA);
    }
    db.defaultSafeIntegers(true);
    const interval = options.checkpointIntervalMs ?? 250;
    const background = !readonly && interval > 0 && options.path !== ":memory:" && options.path !== "";
    if (background) {
      db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
      // After the WAL restarts, give back the disk space a burst of writes took.
      db.pragma("journal_size_limit = 67108864");
    }
    if (background) checkpointer = startCheckpointer(options.path, interval);
    const dialect = new SqliteDialect(db, prepareStatements(db), readonly, checkpointer);
    return await MvccStorage.open(dialect);
  } catch (e) {
    await checkpointer?.stop();
    db.close();
    throw openError(options.path, e);
  }
}
