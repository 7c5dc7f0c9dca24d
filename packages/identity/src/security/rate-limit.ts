/**
 * Fixed-window request counters kept in the identity store (`RateLimitStore`), so every node
 * sharing a Postgres database counts the same requests. `hit` throws 429 `too_many_requests` with
 * a `Retry-After` when a key is over its limit.
 */
import { ApiError } from "../errors.js";
import type { RateLimitRule } from "../config.js";
import type { RateLimitStore } from "../store/types.js";

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one request for `key` under `rule`; throws when over the limit. */
  async hit(rule: RateLimitRule | false, key: string): Promise<void> {
    if (!rule) return;
    const now = this.clock();
    const span = rule.windowSeconds * 1000;
    const w = await this.store.hitRateLimit(key, now, span);
    if (w.count > rule.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + span - now) / 1000));
      throw new ApiError("too_many_requests", { retryAfter, meta: { retry_after: retryAfter } });
    }
  }

  /** Forgets `key`'s window: its next request starts a new one. */
  async reset(key: string): Promise<void> {
    await this.store.resetRateLimit(key);
  }
}
