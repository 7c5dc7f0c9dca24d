/**
 * Turns an `Authenticate` message into the identity functions run with (docs/sync-protocol.md#auth-on-the-socket):
 * `None` → logged out; `Admin` → admin, or admin acting as the user in `impersonating`;
 * `User` → whatever `authenticateUser` makes of the JWT. A rejection carries the message the
 * client shows; tokens and keys never appear in it.
 */
import { isTandemError } from "@tandem/shared";
import type { Identity, UserIdentityAttributes } from "../engine/types.js";
import type { AuthenticateMessage } from "./client-messages.js";
import { BAD_ADMIN_KEY } from "../auth/errors.js";
import type { ConvexJSON } from "@tandem/storage";
import { checkValueLimits } from "../values/limits.js";

export interface AuthCallbacks {
  authenticateUser(token: string): Promise<{ attributes: UserIdentityAttributes; expiresAt: number | null }>;
  checkAdminKey(key: string): boolean;
}

export type AuthOutcome =
  { readonly ok: true; readonly identity: Identity } | { readonly ok: false; readonly error: string };

export const TOKEN_EXPIRED = "Convex token identity expired";
const BAD_TOKEN =
  "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";

export async function resolveIdentity(
  message: AuthenticateMessage,
  auth: AuthCallbacks,
  now: () => number = Date.now,
): Promise<AuthOutcome> {
  switch (message.tokenType) {
    case "None":
      return { ok: true, identity: { kind: "none" } };
    case "Admin": {
      if (!auth.checkAdminKey(message.value)) return { ok: false, error: BAD_ADMIN_KEY };
      if (!message.impersonating) return { ok: true, identity: { kind: "admin" } };
      // The identity is copied to function threads: a hostile nesting must not reach them.
      const limit = checkValueLimits(message.impersonating as ConvexJSON);
      if (limit) return { ok: false, error: `Impersonated identity is not a valid value: ${limit.message}` };
      const attributes = impersonatedAttributes(message.impersonating);
      if (!attributes)
        return { ok: false, error: "Impersonated identity needs tokenIdentifier, or issuer and subject" };
      return { ok: true, identity: { kind: "impersonated", attributes } };
    }
    case "User": {
      try {
        const { attributes, expiresAt } = await auth.authenticateUser(message.value);
        if (expiresAt !== null && expiresAt <= now()) return { ok: false, error: TOKEN_EXPIRED };
        return { ok: true, identity: { kind: "user", attributes, expiresAt, token: message.value } };
      } catch (e) {
        return { ok: false, error: isTandemError(e) ? e.message : BAD_TOKEN };
      }
    }
    default:
      return message satisfies never;
  }
}

/** `tokenIdentifier` may be left out when `issuer` and `subject` are given (`iss|sub`). */
function impersonatedAttributes(attrs: Partial<UserIdentityAttributes>): UserIdentityAttributes | null {
  const { issuer, subject, tokenIdentifier } = attrs;
  if (typeof tokenIdentifier === "string") return attrs as UserIdentityAttributes;
  if (typeof issuer !== "string" || typeof subject !== "string") return null;
  return { ...attrs, tokenIdentifier: `${issuer}|${subject}` } as UserIdentityAttributes;
}

export function isExpired(identity: Identity, now: number): boolean {
  return identity.kind === "user" && identity.expiresAt !== null && now >= identity.expiresAt;
}
