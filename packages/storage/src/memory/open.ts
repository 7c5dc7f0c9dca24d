/** Opens an in-memory `Storage`: connections opened on one `MemoryDatabase` share its data. */
import type { Storage } from "../types.js";
import { MvccStorage } from "../store/store.js";
import { MemoryDatabase } from "./database.js";
import { MemoryDialect } from "./dialect.js";

export interface MemoryStorageOptions {
  /** The data to open (default: a fresh, empty database). */
  readonly database?: MemoryDatabase;
  readonly readonly?: boolean;
}

export async function openMemoryStorage(options: MemoryStorageOptions = {}): Promise<Storage> {
  return MvccStorage.open(new MemoryDialect(options.database ?? new MemoryDatabase(), options.readonly ?? false));
}

export { MemoryDatabase };
