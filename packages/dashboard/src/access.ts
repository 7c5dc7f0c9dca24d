/**
 * Who may use the dashboard's API: a request whose `Authorization` is `Convex <admin key>` (the
 * header the official clients send), optionally followed by `:<identity>` when acting as a user.
 * One-time login links trade a random token, usable once and briefly, for the key.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** A login link is meant to be clicked right after the CLI prints it. */
const LINK_LIFETIME_MS = 10 * 60_000;

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the header carries the admin key, alone or with an acting-as identity after `:`. */
export function carriesAdminKey(header: string | undefined, adminKey: string): boolean {
  if (!header?.startsWith("Convex ")) return false;
  const rest = header.slice("Convex ".length);
  const head = rest.slice(0, adminKey.length);
  const tail = rest.slice(adminKey.length);
  return sameSecret(head, adminKey) && (tail === "" || tail.startsWith(":"));
}

export class LoginLinks {
  readonly #tokens = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  issue(): string {
    const token = randomBytes(24).toString("base64url");
    this.#tokens.set(token, this.now() + LINK_LIFETIME_MS);
    return token;
  }

  /** Consumes the token: true once, and only before it expires. */
  redeem(token: string): boolean {
    const expires = this.#tokens.get(token);
    if (expires === undefined) return false;
    this.#tokens.delete(token);
    return this.now() <= expires;
  }
}

export interface FailureLimit {
  /** Wrong keys allowed from one address per window. */
  readonly max: number;
  readonly windowMs: number;
}

/** Guessing a weak `--admin-key` should be slow: wrong keys per remote address, per window. */
export const DEFAULT_FAILURE_LIMIT: FailureLimit = { max: 30, windowMs: 60_000 };

export class FailureLimiter {
  readonly #seen = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: FailureLimit = DEFAULT_FAILURE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may now. */
  retryAfter(address: string): number {
    const e = this.#seen.get(address);
    if (!e) return 0;
    const t = this.now();
    if (t >= e.resetAt) {
      this.#seen.delete(address);
      return 0;
    }
    return e.count >= this.limit.max ? Math.ceil((e.resetAt - t) / 1000) : 0;
  }

  fail(address: string): void {
    const t = this.now();
    const e = this.#seen.get(address);
    if (!e || t >= e.resetAt) this.#seen.set(address, { count: 1, resetAt: t + this.limit.windowMs });
    else e.count++;
  }
}
