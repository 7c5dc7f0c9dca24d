/**
 * One term's postings: parallel typed arrays of (slot, slot generation, term frequency). Removing
 * a document bumps its slot's generation instead of searching every list for it; lists drop
 * their stale entries once those outnumber the live ones. About 10 bytes per posting, where a
 * `Map<number, number>` entry costs several times that.
 */
export class Postings {
  slots = new Int32Array(4);
  gens = new Int32Array(4);
  tfs = new Uint16Array(4);
  length = 0;
  /** Live entries: the term's document frequency. */
  live = 0;

  add(slot: number, gen: number, tf: number): void {
    if (this.length === this.slots.length) this.#resize(this.slots.length * 2);
    this.slots[this.length] = slot;
    this.gens[this.length] = gen;
    this.tfs[this.length] = Math.min(tf, 65535);
    this.length += 1;
    this.live += 1;
  }

  /** One entry went stale (its slot's generation moved on). */
  removed(currentGens: Int32Array): void {
    this.live -= 1;
    if (this.length > 16 && this.length > 2 * this.live) this.#compact(currentGens);
  }

  #compact(currentGens: Int32Array): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      if (this.gens[r] !== currentGens[this.slots[r]!]) continue;
      this.slots[w] = this.slots[r]!;
      this.gens[w] = this.gens[r]!;
      this.tfs[w] = this.tfs[r]!;
      w++;
    }
    this.length = w;
    if (this.slots.length > 4 * Math.max(w, 4)) this.#resize(Math.max(4, w * 2));
  }

  #resize(capacity: number): void {
    const slots = new Int32Array(capacity);
    const gens = new Int32Array(capacity);
    const tfs = new Uint16Array(capacity);
    slots.set(this.slots.subarray(0, this.length));
    gens.set(this.gens.subarray(0, this.length));
    tfs.set(this.tfs.subarray(0, this.length));
    this.slots = slots;
    this.gens = gens;
    this.tfs = tfs;
  }
}
