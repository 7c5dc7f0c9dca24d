/**
 * The sign-in and sign-up rate limits by what they count, so the rules and the key names live in
 * one place: per client IP, per sign-in identifier (e-mail or username), and per e-mail address a
 * sign-up sends codes to. An administrator's unlock clears a user's identifier windows.
 */
import type { ResolvedSecurity } from "../config.js";
import type { UserRecord } from "../store/types.js";
import type { RateLimiter } from "./rate-limit.js";

/** Sign-in identifiers are compared lower-cased (e-mails and usernames are stored that way). */
const identifierKey = (identifier: string) => `id:${identifier.toLowerCase()}`;

export class AttemptLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly security: ResolvedSecurity,
  ) {}

  /** Throws 429 `too_many_requests` when this IP is over its limit. */
  async ip(ip: string): Promise<void> {
    await this.limiter.hit(this.security.perIpLimit, `ip:${ip}`);
  }

  /** Throws 429 when this sign-in identifier is over its limit. */
  async identifier(identifier: string): Promise<void> {
    await this.limiter.hit(this.security.perIdentifierLimit, identifierKey(identifier));
  }

  /** Throws 429 when this sign-up address has been sent or tried codes too often. */
  async signUpEmail(email: string): Promise<void> {
    await this.limiter.hit(this.security.perIdentifierLimit, `signup:${email}`);
  }

  /** Fresh sign-in windows for every identifier of `user` (its e-mail addresses and username). */
  async clearUser(user: UserRecord): Promise<void> {
    for (const e of user.emails) await this.limiter.reset(identifierKey(e.email));
    if (user.username) await this.limiter.reset(identifierKey(user.username));
  }
}
