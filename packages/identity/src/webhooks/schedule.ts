/**
 * When to retry. Svix's schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 * With a base (`TANDEM_WEBHOOK_RETRY_MS`) the delays are base·2ⁿ instead, as many of them, so tests
 * see the same number of attempts in milliseconds.
 */
const SVIX_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export const MAX_ATTEMPTS = SVIX_DELAYS_MS.length + 1;

/** Delay before attempt `attempts + 1` after `attempts` failures; `null` when we give up. */
export function retryDelayMs(attempts: number, baseMs: number | undefined): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const i = attempts - 1;
  return baseMs === undefined ? SVIX_DELAYS_MS[i]! : baseMs * 2 ** i;
}

/** Reads `TANDEM_WEBHOOK_RETRY_MS`; anything but a positive integer means Svix's schedule. */
export function retryBaseFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.TANDEM_WEBHOOK_RETRY_MS);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
