/**
 * CORS headers from one policy. The backend answers every origin with credentials (as Convex
 * does); the identity service only its own and configured origins, and discovery/JWKS to anyone.
 */
export interface CorsPolicy {
  /** Whether `origin` gets credentialed CORS headers. */
  allows(origin: string): boolean;
  /** `Access-Control-Allow-Methods` of a preflight. */
  readonly methods: string;
  readonly maxAgeSeconds: number;
  /** Response headers a browser script may read. */
  readonly exposeHeaders?: string;
  /**
   * Only some origins get CORS: every answer says `Vary: Origin`, and a preflight without an
   * allowed origin gets nothing else.
   */
  readonly restricted?: boolean;
  /** Preflight `Access-Control-Allow-Headers` when the request's list is missing or malformed. */
  readonly defaultAllowHeaders?: string;
}

/** Public, uncredentialed: discovery documents and key sets. */
export const PUBLIC_CORS = { "access-control-allow-origin": "*" } as const;

/** A comma-separated list of header names (RFC 9110 tokens), safe to reflect. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+\-.^_`|~, ]{0,2048}$/;

const VARY = { vary: "Origin" } as const;
const NONE = {} as const;

/** Headers for an answer to a request from `origin` (none when it sent no `Origin`). */
export function corsHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (origin === undefined || !policy.allows(origin)) return policy.restricted ? { ...VARY } : { ...NONE };
  const h: Record<string, string> = {
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    vary: "Origin",
  };
  if (policy.exposeHeaders) h["access-control-expose-headers"] = policy.exposeHeaders;
  return h;
}

/** Headers for an `OPTIONS` preflight; the requested header list is reflected when well-formed. */
export function preflightHeaders(
  policy: CorsPolicy,
  origin: string | undefined,
  requestedHeaders: string | undefined,
): Record<string, string> {
  if (origin === undefined ? policy.restricted : !policy.allows(origin)) return corsHeaders(policy, origin);
  const h = corsHeaders(policy, origin);
  h["access-control-allow-methods"] = policy.methods;
  h["access-control-max-age"] = String(policy.maxAgeSeconds);
  const allow = requestedHeaders && HEADER_LIST.test(requestedHeaders) ? requestedHeaders : policy.defaultAllowHeaders;
  if (allow) h["access-control-allow-headers"] = allow;
  return h;
}
