/** Which store the function threads open, and how many there are. */
import type { StorageDescriptor } from "@tandem/storage";

export type WorkerOptions =
  | { readonly storage: StorageDescriptor; readonly count?: number }
  /** Shorthand for `storage: { kind: "sqlite", path }`. */
  | { readonly sqlitePath: string; readonly count?: number };

export function workerStorage(o: WorkerOptions): StorageDescriptor {
  return "storage" in o ? o.storage : { kind: "sqlite", path: o.sqlitePath };
}
