/**
 * Fixed-window request counters in the database, so every node sharing it counts the same
 * requests. One atomic upsert per hit: it opens a new window when the old one has run out and
 * returns the window's start and count (two nodes hitting one key at once both count).
 */
import type { RateLimitStore } from "../types.js";
import type { SqlDb } from "./db.js";

export function sqlRateLimits(db: SqlDb): RateLimitStore {
  let hits = 0;
  return {
    async hitRateLimit(key, now, windowMs) {
      const r = await db.one(
        `INSERT INTO rate_limits (key, window_start, window_ms, count) VALUES (?, ?, ?, 1)
         ON CONFLICT(key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start + rate_limits.window_ms <= excluded.window_start
                        THEN 1 ELSE rate_limits.count + 1 END,
           window_start = CASE WHEN rate_limits.window_start + rate_limits.window_ms <= excluded.window_start
                               THEN excluded.window_start ELSE rate_limits.window_start END,
           window_ms = excluded.window_ms
         RETURNING window_start, count`,
        key,
        now,
        windowMs,
      );
      // Windows that ran out are swept now and then (a key seen once must not stay forever).
      if (++hits % 1000 === 0)
        await db.run("DELETE FROM rate_limits WHERE window_start + window_ms <= ?", now).catch(() => 0);
      return { start: Number(r!.window_start), count: Number(r!.count) };
    },
    async resetRateLimit(key) {
      await db.run("DELETE FROM rate_limits WHERE key = ?", key);
    },
  };
}
