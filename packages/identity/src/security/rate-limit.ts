/**
 * Fixed-window request counters kept in memory (one process; docs/architecture.md#scale-out lets Redis carry them
 * later). `hit` throws 429 `too_many_requests` with a `Retry-After` when a key is over its limit.
 */
import { ApiError } from "../errors.js";
import type { RateLimitRule } from "../config.js";

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  #windows = new Map<string, Window>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Counts one request for `key` under `rule`; throws when over the limit. */
  hit(rule: RateLimitRule | false, key: string): void {
    if (!rule) return;
    const now = this.clock();
    const span = rule.windowSeconds * 1000;
    let w = this.#windows.get(key);
    if (!w || now - w.start >= span) {
      if (this.#windows.size > 50_000) this.#sweep(now, span);
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
    if (w.count > rule.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + span - now) / 1000));
      throw new ApiError("too_many_requests", { retryAfter, meta: { retry_after: retryAfter } });
    }
  }

  /** Forgets `key`'s window: its next request starts a new one. */
  reset(key: string): void {
    this.#windows.delete(key);
  }

  #sweep(now: number, span: number) {
    for (const [k, w] of this.#windows) if (now - w.start >= span) this.#windows.delete(k);
  }
}
