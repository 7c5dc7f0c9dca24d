/**
 * A JSON Web Key Set fetched on demand and cached.
 *
 * States: empty → (fetch ok) fresh → (ttl passes) stale → (refetch ok) fresh. A token whose
 * `kid` is unknown triggers a refetch unless the last fetch is younger than the cooldown (so a
 * flood of forged kids cannot make us hammer the issuer) — except a token issued no earlier than
 * the second our keys were fetched in: its key may have been published since (the issuer just
 * rotated), so it refetches at once, or at most `minRefetchMs` after the last fetch (waiting out
 * the rest: a forged kid with a fresh `iat` costs the issuer at most one request per interval, and
 * a token signed by a key rotated in right after our fetch is not refused for the whole cooldown).
 * Concurrent refetches share one request. A failed first fetch is remembered for `failureRetryMs` (0 by default: not at all) and
 * then retried, so an issuer that was down at first use works once it is back; a failed refetch
 * keeps the stale keys.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput } from "jose";

/** What jose's local key set resolves to (a `CryptoKey`; typed via jose to avoid DOM lib types). */
type VerifyKey = Awaited<ReturnType<ReturnType<typeof createLocalJWKSet>>>;
import type { Logger } from "@tandem/shared";

export interface KeySetTiming {
  readonly now: () => number;
  /** Keys older than this are refetched before use. */
  readonly ttlMs: number;
  /** Minimum age of the keys before an unknown `kid` may trigger a refetch. */
  readonly refetchCooldownMs: number;
  /** After a failed fetch with no keys in hand, how long to answer with that failure. */
  readonly failureRetryMs: number;
  /** Minimum age of the keys before a token newer than them may refetch (default 1 s). */
  readonly minRefetchMs?: number;
}

type Resolver = ReturnType<typeof createLocalJWKSet>;
interface Loaded {
  readonly resolver: Resolver;
  readonly fetchedAt: number;
}

export function isJwks(x: unknown): x is JSONWebKeySet {
  return typeof x === "object" && x !== null && Array.isArray((x as { keys?: unknown }).keys);
}

export class CachedKeySet {
  #loaded: Loaded | null = null;
  #inflight: Promise<Loaded> | null = null;
  #failure: { at: number; error: unknown } | null = null;
  #scheduled: Promise<Loaded> | null = null;

  constructor(
    private readonly load: () => Promise<JSONWebKeySet>,
    private readonly timing: KeySetTiming,
    private readonly logger: Logger,
    /** Inline key sets (`data:` URLs) never change: no TTL, no refetch. */
    private readonly immutable = false,
  ) {}

  /**
   * The key for a token's protected header; throws jose's `JWKSNoMatchingKey` when none fits.
   * `issuedAt` is the token's (unverified) `iat` in seconds, when it has one.
   */
  async resolve(header: JWSHeaderParameters, token: FlattenedJWSInput, issuedAt?: number): Promise<VerifyKey> {
    const loaded = await this.#current();
    try {
      return await loaded.resolver(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || this.immutable) throw e;
      const age = this.timing.now() - loaded.fetchedAt;
      // iat has whole seconds: a token from the second of our fetch may be newer than our keys.
      const newer = issuedAt !== undefined && issuedAt * 1000 >= Math.floor(loaded.fetchedAt / 1000) * 1000;
      if (age >= this.timing.refetchCooldownMs) {
        this.logger.info("unknown key id, refetching the key set");
        return await (await this.#refresh()).resolver(header, token);
      }
      if (!newer) throw e;
      this.logger.info("unknown key id on a token newer than the key set, refetching it");
      return await (await this.#refetchSoon(loaded)).resolver(header, token);
    }
  }

  /** A refetch no sooner than `minRefetchMs` after `loaded` was fetched; waiters share it. */
  #refetchSoon(loaded: Loaded): Promise<Loaded> {
    if (this.#loaded !== loaded) return Promise.resolve(this.#loaded ?? loaded);
    const wait = loaded.fetchedAt + (this.timing.minRefetchMs ?? 1000) - this.timing.now();
    if (wait <= 0) return this.#refresh();
    this.#scheduled ??= new Promise<void>((resolve) =>
      setTimeout(resolve, Math.min(wait, this.timing.minRefetchMs ?? 1000)),
    )
      .then(() => this.#refresh())
      .finally(() => {
        this.#scheduled = null;
      });
    return this.#scheduled;
  }

  /** Keys to use now: cached while fresh, else refetched (stale keys survive a failed refetch). */
  async #current(): Promise<Loaded> {
    const loaded = this.#loaded;
    const now = this.timing.now();
    if (loaded && (this.immutable || now - loaded.fetchedAt < this.timing.ttlMs)) return loaded;
    if (this.#failure && now - this.#failure.at < this.timing.failureRetryMs) {
      if (loaded) return loaded;
      throw this.#failure.error;
    }
    try {
      return await this.#refresh();
    } catch (e) {
      if (!loaded) throw e;
      this.logger.warn("key set refetch failed; using the cached keys", { error: e });
      return loaded;
    }
  }

  #refresh(): Promise<Loaded> {
    if (this.#inflight) return this.#inflight;
    // Started on a later tick, so `#inflight` is set before the request can settle.
    const run = Promise.resolve()
      .then(() => this.load())
      .then(
        (jwks) => {
          const loaded = { resolver: createLocalJWKSet(jwks), fetchedAt: this.timing.now() };
          this.#loaded = loaded;
          this.#failure = null;
          return loaded;
        },
        (error: unknown) => {
          this.#failure = { at: this.timing.now(), error };
          throw error;
        },
      )
      .finally(() => {
        this.#inflight = null;
      });
    this.#inflight = run;
    return run;
  }
}
