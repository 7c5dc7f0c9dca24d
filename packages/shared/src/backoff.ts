/** Exponential backoff with full jitter: attempt 0 → [0, base), doubling up to `max`. */
export function backoffDelay(attempt: number, baseMs = 50, maxMs = 2000, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
