/**
 * Verified JWT claims → the `UserIdentity` that `ctx.auth.getUserIdentity()` returns
 * (docs/auth.md#user-identity). OIDC tokens: standard claims renamed to camelCase, other claims copied.
 * Custom JWTs: every private claim copied, nested objects flattened to dotted keys.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { JWTPayload } from "jose";
import type { UserIdentityAttributes } from "../engine/types.js";

/** OIDC standard claims and the identity field each becomes. */
const OIDC_STANDARD: Readonly<Record<string, string>> = {
  name: "name",
  given_name: "givenName",
  family_name: "familyName",
  nickname: "nickname",
  preferred_username: "preferredUsername",
  profile: "profileUrl",
  picture: "pictureUrl",
  website: "websiteUrl",
  email: "email",
  email_verified: "emailVerified",
  gender: "gender",
  birthdate: "birthday",
  zoneinfo: "timezone",
  locale: "language",
  phone_number: "phoneNumber",
  phone_number_verified: "phoneNumberVerified",
};

/** Claims the OIDC parser consumes or Convex drops; never copied as custom claims. */
const OIDC_DROPPED = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "iat",
  "nbf",
  "jti",
  "fva",
  "auth_time",
  "nonce",
  "acr",
  "amr",
  "azp",
  "at_hash",
  "c_hash",
  "address",
  "updated_at",
]);

/** Registered claims a custom JWT never copies (plus Clerk's `fva`). */
const CUSTOM_DROPPED = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "fva"]);

/** `2024-01-01T00:00:00+00:00`: RFC 3339 as chrono's `to_rfc3339` prints a UTC time. */
export function rfc3339(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return iso.replace(/\.000Z$/, "+00:00").replace(/Z$/, "+00:00");
}

function base(iss: string, sub: string): UserIdentityAttributes {
  return { tokenIdentifier: `${iss}|${sub}`, issuer: iss, subject: sub };
}

export function oidcIdentity(claims: JWTPayload): UserIdentityAttributes {
  const out = base(claims.iss!, claims.sub!);
  for (const [claim, value] of Object.entries(claims)) {
    if (value === undefined) continue;
    const renamed = OIDC_STANDARD[claim];
    if (renamed !== undefined) out[renamed] = value as ConvexJSON;
    else if (!OIDC_DROPPED.has(claim)) out[claim] = value as ConvexJSON;
  }
  const address = claims.address as { formatted?: unknown } | undefined;
  if (address && typeof address.formatted === "string") out.address = address.formatted;
  if (typeof claims.updated_at === "number") out.updatedAt = rfc3339(claims.updated_at);
  else if (typeof claims.updated_at === "string") out.updatedAt = claims.updated_at;
  return out;
}

function flattenInto(out: Record<string, ConvexJSON>, prefix: string, value: unknown): void {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenInto(out, `${prefix}.${k}`, v);
  } else if (value !== undefined) {
    out[prefix] = value as ConvexJSON;
  }
}

export function customJwtIdentity(claims: JWTPayload): UserIdentityAttributes {
  const out = base(claims.iss!, claims.sub!);
  for (const [claim, value] of Object.entries(claims)) {
    if (CUSTOM_DROPPED.has(claim)) continue;
    flattenInto(out, claim, value);
  }
  return out;
}
