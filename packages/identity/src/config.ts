/** Options of `startIdentityServer` and the resolved configuration the service runs with. */
import type { Logger } from "@tandem/shared";
import type { InstanceKind } from "./store/types.js";
import type { IdentityDatabase } from "./store/open.js";
import type { SmsOptions } from "./sms/sender.js";
import type { OAuthProviderOptions } from "./oauth/providers.js";

export interface SmtpOptions {
  host: string;
  port?: number;
  secure?: boolean;
  user?: string;
  pass?: string;
  /** Sender address, e.g. `"Acme" <no-reply@acme.test>`. */
  from: string;
  /** Give up on an attempt after this long connecting, waiting for the greeting, or in silence (default 10 s). */
  timeoutMs?: number;
  /** Waits before retrying a message whose attempt failed (default 2 s, 15 s, 60 s). */
  retryDelaysMs?: number[];
}

export interface PasskeyOptions {
  /** The RP id (a registrable domain suffix of the pages' host, e.g. `example.com`). */
  rpId?: string;
  /** Page origins allowed to register and use passkeys; others are refused (`origin_invalid`). */
  origins?: string[];
}

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface SecurityOptions {
  /** Failed password/code attempts before the account locks (default 10). */
  maxFailedAttempts?: number;
  /** How long a lockout lasts (default 3600 s). */
  lockoutSeconds?: number;
  /** Per-IP limit on sign-in/sign-up creation and attempts; `false` turns it off (benchmarks). */
  perIpLimit?: RateLimitRule | false;
  /** Per-identifier (e-mail/username) limit on attempts and code sends. */
  perIdentifierLimit?: RateLimitRule | false;
  /** Answer unknown identifiers like known ones (no `form_identifier_not_found`). */
  enumerationProtection?: boolean;
}

export interface IdentityServerOptions {
  /** The SQLite file's folder (unused with `database`). */
  dataDir: string;
  /**
   * Keep the data in Postgres instead (docs/operations.md#identity-on-postgres): every identity
   * node given the same database and schema serves the same users, sessions and keys.
   */
  database?: IdentityDatabase;
  host?: string;
  /** Default 3212; 0 picks any free port. */
  port?: number;
  instance?: InstanceKind;
  /** The issuer URL; default `http://<host>:<port>`. */
  publicUrl?: string;
  /** Browser origins allowed to call the Frontend API with credentials. */
  allowedOrigins?: string[];
  /** Default 60. */
  sessionTokenLifetimeSeconds?: number;
  /**
   * Session tokens minted to native SDKs (`?_is_native=1|true`), default 3600: the Convex Android
   * client the Clerk glue pins never refreshes its token (docs/android-guide.md#token-lifetime).
   */
  nativeSessionTokenLifetimeSeconds?: number;
  smtp?: SmtpOptions;
  /** Social / OIDC sign-in providers (`oauth_<provider>` strategies, `oauth/providers.ts`). */
  oauthProviders?: OAuthProviderOptions[];
  /** The WebAuthn relying party of passkeys (default: the calling page's origin and host name). */
  passkeys?: PasskeyOptions;
  /** Production text messages (phone codes) go to this HTTP relay (`sms/sender.ts`). */
  sms?: SmsOptions;
  logger?: Logger;
  security?: SecurityOptions;
  /** Rotate the signing key when the active one is older than this (default: never automatically). */
  keyRotationSeconds?: number;
  /** Session lifetime (default 7 days). */
  sessionLifetimeSeconds?: number;
  /** First webhook retry delay in ms (default: Svix's schedule, or `TANDEM_WEBHOOK_RETRY_MS`). */
  webhookRetryMs?: number;
  /** Give up on one webhook attempt after this long (default 15 s, as Svix); it is retried later. */
  webhookTimeoutMs?: number;
  /** Milliseconds since the epoch (default `Date.now`); tests pass their own to move time. */
  clock?: () => number;
}

export interface ResolvedSecurity {
  maxFailedAttempts: number;
  lockoutSeconds: number;
  perIpLimit: RateLimitRule | false;
  perIdentifierLimit: RateLimitRule | false;
  enumerationProtection: boolean;
}

export function resolveSecurity(s: SecurityOptions = {}): ResolvedSecurity {
  return {
    maxFailedAttempts: s.maxFailedAttempts ?? 10,
    lockoutSeconds: s.lockoutSeconds ?? 3600,
    perIpLimit: s.perIpLimit ?? { limit: 30, windowSeconds: 10 },
    perIdentifierLimit: s.perIdentifierLimit ?? { limit: 10, windowSeconds: 60 },
    enumerationProtection: s.enumerationProtection ?? false,
  };
}

export const SESSION_CLOCK_SKEW_SECONDS = 5;
export const DEFAULT_NATIVE_TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_PORT = 3212;
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
