/**
 * Recent commits' written index keys, for optimistic concurrency control: a mutation that read at
 * snapshot T conflicts when a commit after T wrote a key (old or new) inside a range it read.
 */
import { keyInRange, type IndexWrite, type KeyRange, type Timestamp } from "@tandem/storage";

interface Entry {
  readonly ts: Timestamp;
  readonly writes: readonly IndexWrite[];
}

export class CommitLog {
  #entries: Entry[] = [];
  readonly #maxEntries: number;

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries;
  }

  append(ts: Timestamp, writes: readonly IndexWrite[]): void {
    this.#entries.push({ ts, writes });
    // Trim in chunks: dropping one entry per commit would move the whole array every time.
    if (this.#entries.length > this.#maxEntries * 1.5) {
      const dropped = this.#entries.splice(0, this.#entries.length - this.#maxEntries);
      this.#forgottenUpTo = dropped[dropped.length - 1]!.ts;
    }
  }

  /** Commits up to this ts were dropped from the log. */
  #forgottenUpTo: Timestamp | null = null;

  /** True when the log no longer reaches back to `since` (then callers must assume a conflict). */
  #truncatedBefore(since: Timestamp): boolean {
    return this.#forgottenUpTo !== null && since < this.#forgottenUpTo;
  }

  /** The first conflicting write after `since`, if any. */
  conflict(readSet: readonly KeyRange[], since: Timestamp): { ts: Timestamp } | null {
    if (this.#truncatedBefore(since)) return { ts: since };
    if (readSet.length === 0) return null;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!;
      if (e.ts <= since) break;
      for (const w of e.writes) {
        for (const r of readSet) {
          if (r.index !== w.index) continue;
          if ((w.oldKey && keyInRange(w.oldKey, r.start, r.end)) || (w.newKey && keyInRange(w.newKey, r.start, r.end)))
            return { ts: e.ts };
        }
      }
    }
    return null;
  }
}
