/**
 * A JSON Web Key Set fetched on demand and cached.
 *
 * States: empty → (fetch ok) fresh → (ttl passes) stale → (refetch ok) fresh. A token whose
 * `kid` is unknown triggers a refetch unless the last fetch is younger than the cooldown (so a
 * flood of forged kids cannot make us hammer the issuer). Concurrent refetches share one
 * request. A failed first fetch is remembered for `failureRetryMs` (0 by default: not at all) and
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

  constructor(
    private readonly load: () => Promise<JSONWebKeySet>,
    private readonly timing: KeySetTiming,
    private readonly logger: Logger,
    /** Inline key sets (`data:` URLs) never change: no TTL, no refetch. */
    private readonly immutable = false,
  ) {}

  /** The key for a token's protected header; throws jose's `JWKSNoMatchingKey` when none fits. */
  async resolve(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerifyKey> {
    const loaded = await this.#current();
    try {
      return await loaded.resolver(header, token);
    } catch (e) {
      const age = this.timing.now() - loaded.fetchedAt;
      if (!(e instanceof errors.JWKSNoMatchingKey) || this.immutable || age < this.timing.refetchCooldownMs) throw e;
      this.logger.info("unknown key id, refetching the key set");
      const fresh = await this.#refresh();
      return await fresh.resolver(header, token);
    }
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
