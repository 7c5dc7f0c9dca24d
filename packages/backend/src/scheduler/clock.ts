/**
 * The scheduler's clock: what "now" is and a timer that fires at a clock time. Injectable so tests
 * move time forward instead of waiting for it.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once the clock reaches `atMs`; returns a cancel function. */
  at(atMs: number, fn: () => void): () => void;
}

/** Longest single timer: Node clamps larger delays (2^31-1 ms) to 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  at(atMs, fn) {
    let timer: NodeJS.Timeout;
    const arm = () => {
      const delay = atMs - Date.now();
      timer = delay > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(fn, Math.max(0, delay));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/**
 * Real time plus an offset that `advance` moves forward: functions still see wall-clock time
 * (`Date.now()` inside a mutation), and the scheduler sees it shifted, so a job scheduled an hour
 * ahead runs right after `advance(3_600_000)`.
 */
export class ManualClock implements Clock {
  #offset = 0;
  readonly #timers = new Set<{ atMs: number; fn: () => void; cancel: () => void }>();

  now(): number {
    return Date.now() + this.#offset;
  }

  at(atMs: number, fn: () => void): () => void {
    const timer = {
      atMs,
      fn,
      cancel: systemClock.at(atMs - this.#offset, () => this.#fire(timer)),
    };
    this.#timers.add(timer);
    return () => {
      timer.cancel();
      this.#timers.delete(timer);
    };
  }

  /** Moves the clock forward; timers now due fire. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError("ManualClock.advance: ms must be a non-negative number");
    this.#offset += ms;
    for (const t of [...this.#timers]) {
      t.cancel();
      if (t.atMs <= this.now()) this.#fire(t);
      else t.cancel = systemClock.at(t.atMs - this.#offset, () => this.#fire(t));
    }
  }

  #fire(t: { atMs: number; fn: () => void; cancel: () => void }): void {
    if (!this.#timers.delete(t)) return;
    t.fn();
  }
}
