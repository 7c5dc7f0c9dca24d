/**
 * CORS. The Frontend API answers credentialed CORS only for configured origins (and the issuer's
 * own origin); discovery and JWKS are public. A state-changing Frontend API call that carries an
 * `Origin` we do not allow is refused (CSRF), while calls without `Origin` (native apps, servers,
 * tests) pass.
 */
export class OriginPolicy {
  readonly #allowed: Set<string>;

  constructor(issuerOrigin: string, allowed: readonly string[]) {
    this.#allowed = new Set([issuerOrigin, ...allowed.map((o) => o.replace(/\/+$/, ""))]);
  }

  allows(origin: string | undefined): boolean {
    return origin !== undefined && this.#allowed.has(origin);
  }

  /** Headers for a Frontend API answer to `origin`. */
  credentialed(origin: string | undefined): Record<string, string> {
    if (!this.allows(origin)) return { vary: "Origin" };
    return {
      "access-control-allow-origin": origin!,
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "authorization, retry-after",
      vary: "Origin",
    };
  }

  preflight(origin: string | undefined, requestHeaders: string | undefined): Record<string, string> {
    if (!this.allows(origin)) return { vary: "Origin" };
    return {
      ...this.credentialed(origin),
      "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE, OPTIONS",
      "access-control-allow-headers": requestHeaders && /^[\w\-, ]{0,512}$/.test(requestHeaders) ? requestHeaders : "content-type, authorization",
      "access-control-max-age": "600",
    };
  }
}

export const PUBLIC_CORS = { "access-control-allow-origin": "*" } as const;
