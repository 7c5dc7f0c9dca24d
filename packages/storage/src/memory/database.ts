/**
 * The state of an in-memory store, shared by every connection opened on it. Versions are kept per
 * key in commit order, keys as hex strings (hex order is byte order, so sorted strings are sorted
 * keys). Rows of a commit in progress carry a ts above the head, so no snapshot sees them.
 */
import type { IndexRow } from "../store/dialect.js";

export interface MemoryVersion {
  readonly ts: bigint;
  readonly json: string | null;
}

export interface MemoryEntry {
  readonly ts: bigint;
  readonly docKey: string;
  readonly deleted: boolean;
}

export class MemoryDatabase {
  latestTs = 0n;
  schemaVersion = 0;
  readonly tables = new Map<number, { name: string; dropped: boolean }>();
  readonly indexes = new Map<number, IndexRow>();
  nextIndexId = 1;
  /** table number → hex key → versions, oldest first. */
  readonly documents = new Map<number, Map<string, MemoryVersion[]>>();
  /** index id → hex key → entries, oldest first. */
  readonly entries = new Map<number, Map<string, MemoryEntry[]>>();
  readonly meta = new Map<string, string>();
  /** Write transactions run one at a time, as a database's write lock makes them. */
  #lock: Promise<void> = Promise.resolve();

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  documentsOf(tableNumber: number): Map<string, MemoryVersion[]> {
    let m = this.documents.get(tableNumber);
    if (!m) this.documents.set(tableNumber, (m = new Map()));
    return m;
  }

  entriesOf(indexId: number): Map<string, MemoryEntry[]> {
    let m = this.entries.get(indexId);
    if (!m) this.entries.set(indexId, (m = new Map()));
    return m;
  }
}

export function hex(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex");
}

export function unhex(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(key, "hex"));
}

/** The latest of `versions` with ts ≤ `ts`. */
export function latestAt<V extends { readonly ts: bigint }>(
  versions: readonly V[] | undefined,
  ts: bigint,
): V | undefined {
  if (!versions) return undefined;
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.ts <= ts) return versions[i];
  return undefined;
}
