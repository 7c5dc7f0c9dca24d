/** Which store the function threads open, and how many there are. */
import type { StorageDescriptor } from "@tandem/storage";

export type WorkerOptions = (
  | { readonly storage: StorageDescriptor; readonly count?: number }
  /** Shorthand for `storage: { kind: "sqlite", path }`. */
  | { readonly sqlitePath: string; readonly count?: number }
) & { readonly actions?: ActionThreadOptions };

/** The action threads; the defaults are Convex's limits (tests shorten them). */
export interface ActionThreadOptions {
  /** Wall-clock limit of one action. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Silence after which a thread is set aside as blocked and another serves new actions. Default 5 s. */
  readonly blockedAfterMs?: number;
  /** Threads at most, counting those set aside. Default 4. */
  readonly maxThreads?: number;
}

export function workerStorage(o: WorkerOptions): StorageDescriptor {
  return "storage" in o ? o.storage : { kind: "sqlite", path: o.sqlitePath };
}
