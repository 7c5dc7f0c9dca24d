/**
 * Who is calling: the `Authorization` header (or `?adminKey=`) turned into an engine `Identity`
 * (docs/auth.md#identity-from-a-request). `Bearer <jwt>` is a user token checked by the injected verifier;
 * `Convex <adminKey>` is the admin; `Convex <adminKey>:<base64 JSON>` is the admin acting as a user.
 */
import { isTandemError } from "@tandem/shared";
import { unauthenticated, type BackendErrorCode } from "../errors.js";
import { parseAuthorizationHeader } from "../auth/index.js";
import { authError } from "../auth/errors.js";
import type { Identity, UserIdentityAttributes } from "../engine/types.js";

/** A verified user token: who it names and when it expires (ms since epoch, `exp * 1000`). */
export interface VerifiedUser {
  readonly attributes: UserIdentityAttributes;
  readonly expiresAt: number | null;
}

export interface RequestAuthenticator {
  /** Verifies a user JWT against the deployment's auth config; throws a 401 `TandemError` when invalid. */
  authenticateUser(token: string): Promise<VerifiedUser>;
  /** Constant-time comparison with the deployment's admin key. */
  checkAdminKey(key: string): boolean;
}

export async function identityFromRequest(
  authorization: string | undefined,
  /** Only read without an Authorization header (`?adminKey=`), so a lazy `url` stays unparsed. */
  request: { readonly target: string; readonly url: URL },
  auth: RequestAuthenticator,
): Promise<Identity> {
  if (!authorization?.trim()) {
    const key = request.target.includes("?") ? request.url.searchParams.get("adminKey") : null;
    if (key === null) return { kind: "none" };
    if (!auth.checkAdminKey(key)) throw authError.badAdminKey();
    return { kind: "admin" };
  }
  const parsed = parseAuthorizationHeader(authorization);
  switch (parsed.kind) {
    case "none":
      return { kind: "none" };
    case "user":
      return verifyUser(parsed.token, auth);
    case "admin":
      if (!auth.checkAdminKey(parsed.key)) throw authError.badAdminKey();
      return parsed.actingAs ? { kind: "impersonated", attributes: parsed.actingAs } : { kind: "admin" };
    default:
      return parsed satisfies never;
  }
}

async function verifyUser(token: string, auth: RequestAuthenticator): Promise<Identity> {
  try {
    const { attributes, expiresAt } = await auth.authenticateUser(token);
    return { kind: "user", attributes, expiresAt, token };
  } catch (e) {
    if (isTandemError(e)) {
      // Whatever the verifier's kind, a rejected token is an authentication failure (401).
      // The verifier's errors are the backend's own (auth/errors.ts).
      throw e.kind === "Unauthenticated" ? e : unauthenticated(e.code as BackendErrorCode, e.message);
    }
    throw unauthenticated("InvalidAuthHeader", "Could not verify the token.");
  }
}
