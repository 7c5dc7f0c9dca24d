/**
 * Recent commits' written index keys, for optimistic concurrency control: a mutation that read at
 * snapshot T conflicts when a commit after T wrote a key (old or new) inside a range it read.
 */
import { keyInRange, type IndexWrite, type KeyRange, type Timestamp } from "@tandem/storage";

/** A write that invalidated what a mutation read. */
export interface Conflict {
  readonly ts: Timestamp;
  readonly index: number | null;
  readonly key: Uint8Array | null;
}

interface Entry {
  readonly ts: Timestamp;
  readonly writes: readonly IndexWrite[];
}

export class CommitLog {
  #entries: Entry[] = [];
  readonly #maxEntries: number;
  /** Every commit after this ts is (or was, before trimming) in the log: the head when it started. */
  readonly #since: Timestamp | null;

  /** `since`: the head when the log starts (commits before it were never seen), when known. */
  constructor(maxEntries = 10_000, since: Timestamp | null = null) {
    this.#maxEntries = maxEntries;
    this.#since = since;
  }

  append(ts: Timestamp, writes: readonly IndexWrite[]): void {
    this.#entries.push({ ts, writes });
    // Trim in chunks: dropping one entry per commit would move the whole array every time.
    if (this.#entries.length > this.#maxEntries * 1.5) {
      const dropped = this.#entries.splice(0, this.#entries.length - this.#maxEntries);
      this.#forgottenUpTo = dropped[dropped.length - 1]!.ts;
    }
  }

  /**
   * Forgets the `count` newest entries: commits logged while a group was planned that another
   * writer's commit then kept from being written (`CommitManyHooks.discarded`).
   */
  dropNewest(count: number): void {
    this.#entries.length = Math.max(0, this.#entries.length - count);
  }

  /** Commits up to this ts were dropped from the log. */
  #forgottenUpTo: Timestamp | null = null;

  /** True when the log no longer reaches back to `since` (then callers must assume a conflict). */
  #truncatedBefore(since: Timestamp): boolean {
    return this.#forgottenUpTo !== null && since < this.#forgottenUpTo;
  }

  /**
   * True when the log holds every commit after `since` (so `conflict` can vouch for that span):
   * neither before the log started nor trimmed away.
   */
  covers(since: Timestamp): boolean {
    return (this.#since === null || since >= this.#since) && !this.#truncatedBefore(since);
  }

  /**
   * The latest conflicting write after `since` (and at or before `until`, when given), if any: its
   * commit, index and key (null when the log no longer reaches back that far).
   */
  conflict(readSet: readonly KeyRange[], since: Timestamp, until?: Timestamp): Conflict | null {
    if (this.#truncatedBefore(since)) return { ts: since, index: null, key: null };
    if (readSet.length === 0) return null;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!;
      if (e.ts <= since) break;
      if (until !== undefined && e.ts > until) continue;
      for (const w of e.writes) {
        for (const r of readSet) {
          if (r.index !== w.index) continue;
          if (w.oldKey && keyInRange(w.oldKey, r.start, r.end)) return { ts: e.ts, index: w.index, key: w.oldKey };
          if (w.newKey && keyInRange(w.newKey, r.start, r.end)) return { ts: e.ts, index: w.index, key: w.newKey };
        }
      }
    }
    return null;
  }
}
