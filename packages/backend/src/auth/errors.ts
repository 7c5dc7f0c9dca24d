/**
 * The auth failures a client can see, with Convex's codes and texts (docs/auth.md#auth-errors). All
 * are `Unauthenticated` (HTTP 401, `AuthError` on the socket) except config and header-shape
 * problems found before any token is looked at.
 */
import { backendError, type AuthConfigErrorCode } from "../errors.js";

export const OIDC_CLAIM_ERROR =
  "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";

export const BAD_ADMIN_KEY = "The provided admin key was invalid for this instance";

export const authError = {
  invalidHeader: (message: string) => backendError("Unauthenticated", "InvalidAuthHeader", message),
  noProvider: (message: string) => backendError("Unauthenticated", "NoAuthProvider", message),
  discoveryFailed: (issuer: string, cause?: unknown) =>
    backendError("Unauthenticated", "AuthProviderDiscoveryFailed", `Auth provider discovery of ${issuer} failed`, {
      cause,
    }),
  jwksFetchFailed: (issuer: string, cause?: unknown) =>
    backendError(
      "Unauthenticated",
      "AuthProviderDiscoveryFailed",
      `Could not fetch the JWKS of the custom JWT provider ${issuer}`,
      { cause },
    ),
  oidcClaim: (cause?: unknown) => backendError("Unauthenticated", "Unauthenticated", OIDC_CLAIM_ERROR, { cause }),
  /** The one admin-key error of the backend (HTTP API, push API; the sync protocol sends its text). */
  badAdminKey: () => backendError("Unauthenticated", "BadAdminKey", BAD_ADMIN_KEY),
  invalidConfig: (code: AuthConfigErrorCode, message: string) => backendError("BadRequest", code, message),
};

export type { AuthConfigErrorCode };
