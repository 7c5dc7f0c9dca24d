/**
 * CORS. The Frontend API answers credentialed CORS only for configured origins (and the issuer's
 * own origin); discovery and JWKS are public. A state-changing Frontend API call that carries an
 * `Origin` we do not allow is refused (CSRF), while calls without `Origin` (native apps, servers,
 * tests) pass.
 */
import { corsHeaders, preflightHeaders, type CorsPolicy } from "@tandem/shared/http";

export { PUBLIC_CORS } from "@tandem/shared/http";

export class OriginPolicy {
  readonly #allowed: Set<string>;
  readonly #policy: CorsPolicy;

  constructor(issuerOrigin: string, allowed: readonly string[]) {
    this.#allowed = new Set([issuerOrigin, ...allowed.map((o) => o.replace(/\/+$/, ""))]);
    this.#policy = {
      allows: (origin) => this.#allowed.has(origin),
      methods: "GET, POST, PATCH, PUT, DELETE, OPTIONS",
      maxAgeSeconds: 600,
      exposeHeaders: "authorization, retry-after",
      restricted: true,
      defaultAllowHeaders: "content-type, authorization",
    };
  }

  allows(origin: string | undefined): boolean {
    return origin !== undefined && this.#allowed.has(origin);
  }

  /** Headers for a Frontend API answer to `origin`. */
  credentialed(origin: string | undefined): Record<string, string> {
    return corsHeaders(this.#policy, origin);
  }

  preflight(origin: string | undefined, requestHeaders: string | undefined): Record<string, string> {
    return preflightHeaders(this.#policy, origin, requestHeaders);
  }
}
