/**
 * Reads a JWT's claims without verifying it: the SDK only needs `exp`/`iat` to schedule refreshes
 * and `sessionClaims` for `useAuth`. Verification is the backend's job (over JWKS).
 */
import { decodeBase64 } from "./keys.js";

export interface JwtClaims {
  sub?: string;
  sid?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  [claim: string]: unknown;
}

export function decodeJwtClaims(jwt: string): JwtClaims | null {
  const part = jwt.split(".")[1];
  if (!part) return null;
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const text = decodeBase64(b64);
  if (text === null) return null;
  try {
    const claims: unknown = JSON.parse(text);
    return claims && typeof claims === "object" && !Array.isArray(claims) ? (claims as JwtClaims) : null;
  } catch {
    return null;
  }
}

/** Clerk's `TokenResource`: the raw string plus the decoded claims. */
export interface TokenResource {
  readonly jwt: { readonly claims: JwtClaims; readonly encoded: string };
  getRawString(): string;
}

export function tokenResource(jwt: string): TokenResource | null {
  const claims = decodeJwtClaims(jwt);
  return claims ? { jwt: { claims, encoded: jwt }, getRawString: () => jwt } : null;
}
