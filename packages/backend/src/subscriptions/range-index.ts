/**
 * Read sets of live query results, indexed so a commit finds exactly the results it invalidates:
 * one interval tree per storage index, stabbed with every (index, key) the commit wrote. The cost
 * of a commit is O(writes × log n + hits), never a scan of all subscriptions.
 */
import type { KeyRange } from "@tandem/storage";
import { IntervalTree, type IntervalHandle } from "./interval-tree.js";
import { isEmptyRange } from "./keys.js";

export interface RangeRegistration<T> {
  readonly ranges: ReadonlyArray<{ readonly index: number; readonly handle: IntervalHandle<T> }>;
}

export class RangeIndex<T> {
  private readonly trees = new Map<number, IntervalTree<T>>();
  private total = 0;

  /** Number of registered (non-empty) ranges. */
  get size(): number {
    return this.total;
  }

  add(ranges: readonly KeyRange[], value: T): RangeRegistration<T> {
    const out: Array<{ index: number; handle: IntervalHandle<T> }> = [];
    for (const r of ranges) {
      if (isEmptyRange(r.start, r.end)) continue;
      let tree = this.trees.get(r.index);
      if (!tree) this.trees.set(r.index, (tree = new IntervalTree<T>()));
      out.push({ index: r.index, handle: tree.insert(r.start, r.end, value) });
      this.total++;
    }
    return { ranges: out };
  }

  remove(reg: RangeRegistration<T>): void {
    for (const { index, handle } of reg.ranges) {
      const tree = this.trees.get(index);
      if (tree?.remove(handle)) {
        this.total--;
        if (tree.size === 0) this.trees.delete(index);
      }
    }
  }

  /** Every value with a range of `index` containing `key` (a value may be reported more than once). */
  stab(index: number, key: Uint8Array, visit: (value: T) => void): void {
    this.trees.get(index)?.stab(key, visit);
  }
}
