/**
 * Commits that landed while query executions were in flight. An execution reads at snapshot `t`
 * and only registers its read set when it finishes; any commit after `t` that arrived meanwhile is
 * checked here against that read set, so no invalidation falls between the two.
 */
import type { KeyRange, Timestamp } from "@tandem/storage";
import type { CommitNotice } from "../engine/types.js";
import { compareKeys } from "./keys.js";

export class CommitWindow {
  private notices: CommitNotice[] = [];
  /** Snapshot timestamps of executions in flight (a multiset). */
  private readonly inflight = new Map<bigint, number>();

  begin(ts: Timestamp): void {
    this.inflight.set(ts, (this.inflight.get(ts) ?? 0) + 1);
  }

  end(ts: Timestamp): void {
    const n = (this.inflight.get(ts) ?? 1) - 1;
    if (n > 0) this.inflight.set(ts, n);
    else this.inflight.delete(ts);
    this.trim();
  }

  record(notice: CommitNotice): void {
    if (this.inflight.size > 0) this.notices.push(notice);
  }

  get length(): number {
    return this.notices.length;
  }

  /** Timestamp of the first recorded commit after `ts` that wrote into `readSet`, else null. */
  firstHit(ts: Timestamp, readSet: readonly KeyRange[]): Timestamp | null {
    if (this.notices.length === 0) return null;
    if (readSet.length === 0 && !this.notices.some((n) => n.all)) return null;
    const byIndex = new Map<number, KeyRange[]>();
    for (const r of readSet) {
      const list = byIndex.get(r.index);
      if (list) list.push(r);
      else byIndex.set(r.index, [r]);
    }
    for (const notice of this.notices) {
      if (notice.all) return notice.ts > ts ? notice.ts : ts;
      if (notice.ts <= ts) continue;
      for (const w of notice.writes) {
        const ranges = byIndex.get(w.index);
        if (!ranges) continue;
        for (const r of ranges) {
          if (compareKeys(r.start, w.key) <= 0 && (r.end === null || compareKeys(w.key, r.end) < 0)) return notice.ts;
        }
      }
    }
    return null;
  }

  private trim(): void {
    if (this.inflight.size === 0) {
      this.notices = [];
      return;
    }
    let min: bigint | null = null;
    for (const ts of this.inflight.keys()) if (min === null || ts < min) min = ts;
    let drop = 0;
    while (drop < this.notices.length && this.notices[drop]!.ts <= min!) drop++;
    if (drop > 0) this.notices = this.notices.slice(drop);
  }
}
