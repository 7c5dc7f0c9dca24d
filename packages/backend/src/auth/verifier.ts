/**
 * `createAuthVerifier`: user JWT → identity, per docs/auth.md#verifying-a-user-token. The token is read unverified to
 * pick the provider; then the signature is checked with `jose` against the provider's keys
 * (OIDC: discovery + `jwks_uri`; custom JWT: the configured `jwks`), and the claims with the
 * provider's rules: OIDC allows RS256/EdDSA, one audience, no leeway; custom JWT allows its
 * configured algorithm and 5 s of leeway on `exp`/`nbf`.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { silentLogger, type Logger } from "@tandem/shared";
import type { UserIdentityAttributes } from "../engine/types.js";
import type { AuthProvider } from "./config.js";
import { authError } from "./errors.js";
import { fetchJson, type FetchLike } from "./fetch-json.js";
import { customJwtIdentity, oidcIdentity } from "./identity.js";
import { CachedKeySet, isJwks, type KeySetTiming } from "./key-set.js";
import { matchProvider, sameIssuer } from "./provider-match.js";
import { readUnverified, type UnverifiedToken } from "./token-shape.js";

export interface AuthVerifierOptions {
  readonly providers: readonly AuthProvider[];
  readonly fetch?: FetchLike;
  /** Clock in ms since the epoch (tests move it). */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Tokens longer than this are rejected before any parsing. Default 16 KiB. */
  readonly maxTokenBytes?: number;
  /** How long discovery documents and key sets are trusted. Default 10 min. */
  readonly cacheTtlMs?: number;
  /** Minimum age of a key set before an unknown `kid` refetches it. Default 30 s. */
  readonly refetchCooldownMs?: number;
  /**
   * How long a failed first fetch is answered from memory before retrying. Default 0: the next
   * token after a failure retries (concurrent ones share one request), so an issuer that was down
   * works as soon as it is back.
   */
  readonly failureRetryMs?: number;
  /** Per request to an issuer. Default 5 s. */
  readonly fetchTimeoutMs?: number;
}

export interface VerifiedToken {
  readonly attributes: UserIdentityAttributes;
  /** `exp * 1000`. */
  readonly expiresAt: number | null;
}

export interface AuthVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

const OIDC_ALGORITHMS = ["RS256", "EdDSA", "Ed25519"];
const CUSTOM_JWT_LEEWAY_S = 5;
const JWKS_TYPES = ["application/json", "application/jwk-set+json"];

export function createAuthVerifier(options: AuthVerifierOptions): AuthVerifier {
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const maxTokenBytes = options.maxTokenBytes ?? 16 * 1024;
  const timeoutMs = options.fetchTimeoutMs ?? 5000;
  const timing: KeySetTiming = {
    now,
    ttlMs: options.cacheTtlMs ?? 10 * 60_000,
    refetchCooldownMs: options.refetchCooldownMs ?? 30_000,
    failureRetryMs: options.failureRetryMs ?? 0,
  };
  const providers = [...options.providers];
  // Keyed by the token's `iss` (OIDC) or the configured `jwks` (custom JWT); only tokens that
  // matched a configured provider get here, so the maps stay small.
  const oidcKeys = new Map<string, CachedKeySet>();
  const customKeys = new Map<string, CachedKeySet>();

  async function loadJwks(url: string, contentTypes?: readonly string[]) {
    const doc = await fetchJson(url, { fetch: fetchFn, timeoutMs, ...(contentTypes ? { contentTypes } : {}) });
    if (!isJwks(doc)) throw new Error(`${url} is not a JSON Web Key Set`);
    return doc;
  }

  function oidcKeySet(issuer: string): CachedKeySet {
    let keys = oidcKeys.get(issuer);
    if (!keys) {
      const discoveryUrl = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
      keys = new CachedKeySet(
        async () => {
          const meta = (await fetchJson(discoveryUrl, { fetch: fetchFn, timeoutMs })) as Record<string, unknown>;
          if (typeof meta?.issuer !== "string" || !sameIssuer(meta.issuer, issuer))
            throw new Error(`discovery document of ${issuer} names issuer ${JSON.stringify(meta?.issuer)}`);
          if (typeof meta.jwks_uri !== "string") throw new Error(`discovery document of ${issuer} has no jwks_uri`);
          return loadJwks(meta.jwks_uri);
        },
        timing,
        logger.child("oidc"),
      );
      oidcKeys.set(issuer, keys);
    }
    return keys;
  }

  function customKeySet(jwks: string): CachedKeySet {
    let keys = customKeys.get(jwks);
    if (!keys) {
      keys = new CachedKeySet(() => loadJwks(jwks, JWKS_TYPES), timing, logger.child("jwt"), jwks.startsWith("data:"));
      customKeys.set(jwks, keys);
    }
    return keys;
  }

  async function verifyOidc(token: string, t: UnverifiedToken, applicationID: string): Promise<JWTPayload> {
    if (!OIDC_ALGORITHMS.includes(t.header.alg ?? "")) throw authError.oidcClaim(`algorithm ${t.header.alg}`);
    if (Array.isArray(t.claims.aud) && t.claims.aud.length > 1) throw authError.oidcClaim("several audiences");
    const keys = oidcKeySet(t.issuer);
    const iat = typeof t.claims.iat === "number" ? t.claims.iat : undefined;
    try {
      const { payload } = await jwtVerify(token, (h, tok) => keys.resolve(h, tok, iat), {
        algorithms: OIDC_ALGORITHMS,
        issuer: t.issuer,
        audience: applicationID,
        currentDate: new Date(now()),
        clockTolerance: 0,
        requiredClaims: ["exp", "iat", "sub"],
      });
      return payload;
    } catch (e) {
      if (e instanceof joseErrors.JOSEError) throw authError.oidcClaim(e);
      logger.warn("OIDC key discovery failed", { issuer: t.issuer, error: e });
      throw authError.discoveryFailed(t.issuer, e);
    }
  }

  async function verifyCustomJwt(
    token: string,
    t: UnverifiedToken,
    p: Extract<AuthProvider, { kind: "customJwt" }>,
  ): Promise<JWTPayload> {
    if (t.header.alg !== p.algorithm)
      throw authError.invalidHeader(
        `Could not decode token. The JWT's 'alg' header is '${String(t.header.alg).slice(0, 32)}', but the provider expects '${p.algorithm}'.`,
      );
    const keys = customKeySet(p.jwks);
    const iat = typeof t.claims.iat === "number" ? t.claims.iat : undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (h, tok) => keys.resolve(h, tok, iat), {
        algorithms: [p.algorithm],
        currentDate: new Date(now()),
        clockTolerance: CUSTOM_JWT_LEEWAY_S,
        requiredClaims: ["sub", "exp"],
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWKSMultipleMatchingKeys)
        throw authError.invalidHeader(
          `Could not decode token. The JWT's 'kid' (key ID) header is '${String(t.header.kid ?? "").slice(0, 100)}', does this key match any key in the provider's JWKS?`,
        );
      if (e instanceof joseErrors.JOSEError) throw authError.invalidHeader(`Could not validate token: ${e.message}`);
      logger.warn("custom JWT key set fetch failed", { issuer: p.issuer, error: e });
      throw authError.jwksFetchFailed(p.issuer, e);
    }
    if (!sameIssuer(p.issuer, t.issuer)) throw authError.invalidHeader(`Invalid issuer: ${t.issuer} != ${p.issuer}`);
    if (p.applicationID !== null && !t.audiences.includes(p.applicationID))
      throw authError.invalidHeader(`Invalid audience: ${p.applicationID} not in ${JSON.stringify(t.audiences)}`);
    return payload;
  }

  return {
    async verify(token) {
      const t = readUnverified(token, maxTokenBytes);
      const provider = matchProvider(providers, t.issuer, t.audiences);
      switch (provider.kind) {
        case "oidc": {
          const claims = await verifyOidc(token, t, provider.applicationID);
          return { attributes: oidcIdentity(claims), expiresAt: claims.exp! * 1000 };
        }
        case "customJwt": {
          const claims = await verifyCustomJwt(token, t, provider);
          return { attributes: customJwtIdentity(claims), expiresAt: claims.exp! * 1000 };
        }
        default:
          return provider satisfies never;
      }
    },
  };
}
