/**
 * The best `k` of a stream of scored slots, best first: a bounded min-heap, so a search that
 * matches many documents costs O(n log k) instead of sorting them all. Ties go to the larger
 * `tie` value (for search: the newer document).
 */
export class TopK {
  readonly #slots: number[] = [];
  readonly #scores: number[] = [];
  readonly #ties: number[] = [];

  constructor(readonly k: number) {}

  /** a is worse than b. */
  #worse(i: number, j: number): boolean {
    const s = this.#scores;
    return s[i]! < s[j]! || (s[i] === s[j] && this.#ties[i]! < this.#ties[j]!);
  }

  offer(slot: number, score: number, tie: number): void {
    const n = this.#slots.length;
    if (n < this.k) {
      this.#slots.push(slot);
      this.#scores.push(score);
      this.#ties.push(tie);
      this.#up(n);
      return;
    }
    if (n === 0) return;
    // Not better than the worst kept: skip.
    if (score < this.#scores[0]! || (score === this.#scores[0] && tie <= this.#ties[0]!)) return;
    this.#slots[0] = slot;
    this.#scores[0] = score;
    this.#ties[0] = tie;
    this.#down(0);
  }

  /** The kept entries, best first. */
  drain(): Array<{ slot: number; score: number }> {
    const order = this.#slots.map((_, i) => i);
    order.sort((a, b) => (this.#worse(a, b) ? 1 : this.#worse(b, a) ? -1 : 0));
    return order.map((i) => ({ slot: this.#slots[i]!, score: this.#scores[i]! }));
  }

  #swap(i: number, j: number): void {
    for (const a of [this.#slots, this.#scores, this.#ties]) [a[i], a[j]] = [a[j]!, a[i]!];
  }

  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#worse(i, p)) return;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const n = this.#slots.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#worse(l, m)) m = l;
      if (r < n && this.#worse(r, m)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
