/**
 * A read-write transaction the server runs itself (outside any function): the scheduler's state
 * changes and scheduling from actions. It commits with the same conflict check as a mutation, so
 * a job is never moved out of a state a concurrent mutation (a `cancel`) just moved it out of.
 */
import { backendError } from "../errors.js";
import type { Storage } from "@tandem/storage";
import type { Catalog } from "../transactions/catalog.js";
import { Transaction } from "../transactions/transaction.js";
import type { CommitMeta, ExecutedTransaction } from "../engine/committer.js";

export interface Committing {
  /** Commits unless a commit since `tx.ts` wrote into its read set (then null); `meta` is written in the same commit. */
  commitChecked(tx: ExecutedTransaction, meta?: CommitMeta): Promise<unknown>;
  catalogChanged(): void;
}

export function storageCatalog(storage: Storage, onCreate: () => void): Catalog {
  return {
    tables: () => storage.tables(),
    tableByNumber: (n) => storage.tableByNumber(n),
    indexes: (t) => storage.indexes(t),
    ensureTable: async (t) => {
      const existed = storage.tables().some((x) => x.name === t);
      const info = await storage.ensureTable(t);
      if (!existed) onCreate();
      return info;
    },
    newId: (t) => storage.newId(t),
  };
}

const MAX_ATTEMPTS = 50;

/**
 * Runs `body` at the latest snapshot and commits its writes, with the metadata it pushed onto
 * `meta` (written only together with document writes); re-runs it on a conflict.
 */
export async function runSystemTransaction<T>(
  storage: Storage,
  engine: Committing,
  body: (tx: Transaction, meta: Array<readonly [string, string | null]>) => Promise<T>,
  nowMs = Date.now(),
): Promise<T> {
  const catalog = storageCatalog(storage, () => engine.catalogChanged());
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const tx = new Transaction(storage.snapshot(storage.latestTs()), catalog, { readOnly: false, beginMs: nowMs });
    const meta: Array<readonly [string, string | null]> = [];
    const value = await body(tx, meta);
    if (!tx.hasWrites()) return value;
    const prepared = await storage.prepare(tx.writes());
    if ((await engine.commitChecked({ ts: tx.ts, readSet: tx.readSet, prepared }, meta)) !== null) return value;
  }
  throw backendError(
    "Unavailable",
    "OptimisticConcurrencyControlFailure",
    "A scheduler state change kept conflicting with concurrent writes.",
  );
}
