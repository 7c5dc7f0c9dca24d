/**
 * Admin keys and the `Authorization` header (docs/auth.md#identity-from-a-request): `Bearer <jwt>` for users,
 * `Convex <adminKey>` for admins, `Convex <adminKey>:<base64 JSON identity>` for an admin acting
 * as a user. Keys are compared in constant time and never appear in errors.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { backendError } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";
import type { UserIdentityAttributes } from "../engine/types.js";
import { authError } from "./errors.js";
import { checkValueLimits } from "../values/limits.js";

/** Constant-time equality of two admin keys (lengths are hidden by hashing first). */
export function checkAdminKey(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}

/**
 * An impersonation payload (`UserIdentityAttributes` JSON): an object whose `tokenIdentifier`
 * may be omitted when `issuer` and `subject` are given (it is then `issuer|subject`).
 */
export function parseImpersonation(attrs: unknown): UserIdentityAttributes {
  if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs))
    throw backendError("BadRequest", "InvalidImpersonation", "The identity to act as must be a JSON object");
  const a = attrs as Record<string, ConvexJSON>;
  // The identity is copied to function threads: a hostile nesting must not reach them.
  const limit = checkValueLimits(a);
  if (limit)
    throw backendError(
      "BadRequest",
      "InvalidImpersonation",
      `The identity to act as is not a valid value: ${limit.message}`,
    );
  const { issuer, subject } = a;
  let tokenIdentifier = a.tokenIdentifier;
  if (tokenIdentifier === undefined && typeof issuer === "string" && typeof subject === "string")
    tokenIdentifier = `${issuer}|${subject}`;
  if (typeof tokenIdentifier !== "string")
    throw backendError(
      "BadRequest",
      "InvalidImpersonation",
      "The identity to act as needs a string `tokenIdentifier`, or both `issuer` and `subject`",
    );
  return {
    ...a,
    tokenIdentifier,
    issuer: typeof issuer === "string" ? issuer : tokenIdentifier.split("|")[0]!,
    subject: typeof subject === "string" ? subject : tokenIdentifier.split("|").slice(1).join("|"),
  };
}

export type AuthorizationHeader =
  | { readonly kind: "none" }
  | { readonly kind: "user"; readonly token: string }
  | { readonly kind: "admin"; readonly key: string; readonly actingAs: UserIdentityAttributes | null };

/** Reads an `Authorization` header value; a missing or empty header means anonymous. */
export function parseAuthorizationHeader(header: string | null | undefined): AuthorizationHeader {
  if (header === undefined || header === null || header.trim() === "") return { kind: "none" };
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const rest = space < 0 ? "" : header.slice(space + 1).trim();
  switch (scheme) {
    case "bearer":
      if (rest === "") throw authError.invalidHeader("Header must begin with `bearer ` and carry a token");
      return { kind: "user", token: rest };
    case "convex":
      if (rest === "") throw authError.invalidHeader("Header must begin with `convex ` and carry an admin key");
      return parseAdminCredential(rest);
    default:
      throw authError.invalidHeader("Authorization header must be `Bearer <token>` or `Convex <admin key>`");
  }
}

/** `<key>` or `<key>:<base64 JSON identity>`: the suffix counts only if it decodes to an object. */
function parseAdminCredential(credential: string): AuthorizationHeader {
  const colon = credential.lastIndexOf(":");
  if (colon > 0) {
    const suffix = credential.slice(colon + 1);
    if (/^[A-Za-z0-9+/]+=*$/.test(suffix)) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(suffix, "base64").toString("utf8"));
      } catch {
        decoded = undefined;
      }
      if (typeof decoded === "object" && decoded !== null && !Array.isArray(decoded))
        return { kind: "admin", key: credential.slice(0, colon), actingAs: parseImpersonation(decoded) };
    }
  }
  return { kind: "admin", key: credential, actingAs: null };
}
