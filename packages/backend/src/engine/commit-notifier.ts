/**
 * Tells subscribers what each commit wrote (every old and new index key is a point a live query
 * may have read), or that everything may have changed (new code or environment variables).
 */
import type { Logger } from "@tandem/shared";
import type { IndexWrite, Timestamp } from "@tandem/storage";
import type { CommitNotice } from "./types.js";

export class CommitNotifier {
  readonly #listeners = new Set<(n: CommitNotice) => void>();

  constructor(private readonly log: Logger) {}

  subscribe(listener: (n: CommitNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  committed(ts: Timestamp, indexWrites: readonly IndexWrite[]): void {
    const writes: { index: number; key: Uint8Array }[] = [];
    for (const w of indexWrites) {
      if (w.oldKey) writes.push({ index: w.index, key: w.oldKey });
      if (w.newKey) writes.push({ index: w.index, key: w.newKey });
    }
    this.#send({ ts, writes });
  }

  /** Code or env changed: subscriptions re-run at `ts`. */
  everything(ts: Timestamp): void {
    this.#send({ ts, writes: [], all: true });
  }

  clear(): void {
    this.#listeners.clear();
  }

  #send(notice: CommitNotice): void {
    for (const l of this.#listeners) {
      try {
        l(notice);
      } catch (e) {
        this.log.error("commit listener failed", { error: e });
      }
    }
  }
}
