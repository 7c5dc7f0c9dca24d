/**
 * Session-token cache, one entry per (session, template). A token is served from the cache until
 * `exp − leeway` (leeway 15 s, or a quarter of the lifetime for very short tokens, so a 10 s token
 * is still cached for a while); `skipCache` always mints a new JWT (a new `jti`), which Convex's
 * client needs to see a refresh as new. An entry that was read since its last mint is re-minted in
 * the background shortly before it goes stale, so readers rarely wait on the network.
 */
import { backoffDelay } from "@tandem/shared";
import { decodeJwtClaims } from "./jwt.js";

export interface GetTokenOptions {
  /** A JWT template name (`"convex"`); omit for the session token. */
  template?: string;
  skipCache?: boolean;
  /** Clerk v5's per-call leeway; capped below the token's lifetime. */
  leewayInSeconds?: number;
}

type Mint = (sessionId: string, template: string | undefined) => Promise<string>;

interface Entry {
  jwt: string | null;
  /** ms epoch after which the token is not served from the cache. */
  staleAt: number;
  expAt: number;
  inflight: Promise<string> | null;
  readSinceMint: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  failures: number;
}

const unref = (t: ReturnType<typeof setTimeout>) => {
  if (typeof t === "object" && t !== null && "unref" in t && typeof t.unref === "function") t.unref();
  return t;
};

export class TokenCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly mint: Mint,
    private readonly leewaySeconds: number,
    /** Called when a background refresh failed in a way that says the session is gone. */
    private readonly onRefreshError: (sessionId: string, error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  static key(sessionId: string, template: string | undefined): string {
    return template ? `${sessionId}:${template}` : sessionId;
  }

  async get(sessionId: string, options: GetTokenOptions): Promise<string> {
    const key = TokenCache.key(sessionId, options.template);
    const entry = this.#entry(key);
    entry.readSinceMint = true;
    if (!options.skipCache) {
      const leeway = options.leewayInSeconds;
      const staleAt = leeway === undefined ? entry.staleAt : entry.expAt - leeway * 1000;
      if (entry.jwt && this.now() < staleAt) return entry.jwt;
      if (entry.inflight) return entry.inflight;
    }
    return this.#mint(sessionId, options.template, key);
  }

  /** Stores a token the server handed over (`last_active_token`), if it is newer than ours. */
  seed(sessionId: string, template: string | undefined, jwt: string): void {
    const key = TokenCache.key(sessionId, template);
    const entry = this.#entry(key);
    if (entry.jwt === jwt) return;
    const times = this.#times(jwt);
    if (!times || times.expAt <= entry.expAt) return;
    entry.jwt = jwt;
    entry.staleAt = times.staleAt;
    entry.expAt = times.expAt;
    this.#schedule(sessionId, template, key, entry);
  }

  /** Drops every entry (of one session, or all). */
  clear(sessionId?: string): void {
    for (const [key, entry] of this.#entries) {
      if (sessionId !== undefined && key !== sessionId && !key.startsWith(`${sessionId}:`)) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.#entries.delete(key);
    }
  }

  #entry(key: string): Entry {
    let e = this.#entries.get(key);
    if (!e) {
      e = { jwt: null, staleAt: 0, expAt: 0, inflight: null, readSinceMint: false, timer: null, failures: 0 };
      this.#entries.set(key, e);
    }
    return e;
  }

  #times(jwt: string): { staleAt: number; expAt: number } | null {
    const claims = decodeJwtClaims(jwt);
    if (typeof claims?.exp !== "number") return null;
    const iat = typeof claims.iat === "number" ? claims.iat : claims.exp - 60;
    const leeway = Math.min(this.leewaySeconds, Math.max(0, (claims.exp - iat) / 4));
    return { staleAt: (claims.exp - leeway) * 1000, expAt: claims.exp * 1000 };
  }

  #mint(sessionId: string, template: string | undefined, key: string): Promise<string> {
    const p = this.mint(sessionId, template).then(
      (jwt) => {
        const entry = this.#entries.get(key);
        if (entry && entry.inflight === p) entry.inflight = null;
        // The entry may have been cleared (sign-out) while we waited: then we hand the token to
        // this caller only and keep nothing.
        if (entry && this.#entries.get(key) === entry) {
          const times = this.#times(jwt);
          entry.jwt = jwt;
          entry.staleAt = times?.staleAt ?? 0;
          entry.expAt = times?.expAt ?? 0;
          entry.readSinceMint = false;
          entry.failures = 0;
          this.#schedule(sessionId, template, key, entry);
        }
        return jwt;
      },
      (e: unknown) => {
        const entry = this.#entries.get(key);
        if (entry && entry.inflight === p) entry.inflight = null;
        throw e;
      },
    );
    const entry = this.#entries.get(key);
    if (entry) entry.inflight = p;
    return p;
  }

  #schedule(sessionId: string, template: string | undefined, key: string, entry: Entry, delayMs?: number): void {
    if (entry.timer) clearTimeout(entry.timer);
    const wait = delayMs ?? Math.max(0, entry.staleAt - this.now() - 1000);
    entry.timer = unref(
      setTimeout(() => {
        entry.timer = null;
        if (this.#entries.get(key) !== entry || !entry.readSinceMint || entry.inflight) return;
        this.#mint(sessionId, template, key).catch((e: unknown) => {
          if (this.#entries.get(key) !== entry) return;
          entry.failures++;
          this.onRefreshError(sessionId, e);
          // Try again while the cached token is still usable.
          if (this.now() < entry.expAt)
            this.#schedule(sessionId, template, key, entry, 500 + backoffDelay(entry.failures, 500, 5000));
        });
      }, wait),
    );
  }
}
