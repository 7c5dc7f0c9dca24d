/** What a user looks like to shortcodes (`user.*`) and to the OIDC profile claims of session tokens. */
import type { UserRecord } from "../store/types.js";

export const fullName = (u: UserRecord) => [u.firstName, u.lastName].filter(Boolean).join(" ") || null;
export const primaryEmail = (u: UserRecord) => u.emails.find((e) => e.id === u.primaryEmailId) ?? u.emails[0] ?? null;
const seconds = (ms: number) => Math.floor(ms / 1000);

export function shortcodeUser(u: UserRecord): Record<string, unknown> {
  const email = primaryEmail(u);
  return {
    id: u.id,
    external_id: u.externalId,
    first_name: u.firstName,
    last_name: u.lastName,
    full_name: fullName(u),
    username: u.username,
    image_url: u.imageUrl,
    has_image: Boolean(u.imageUrl),
    primary_email_address: email?.email ?? null,
    email_verified: email?.verified ?? false,
    primary_phone_number: null,
    phone_number_verified: false,
    two_factor_enabled: false,
    public_metadata: u.publicMetadata,
    unsafe_metadata: u.unsafeMetadata,
    organizations: {},
    created_at: seconds(u.createdAt),
    updated_at: seconds(u.updatedAt),
  };
}

/** OIDC standard claims for the session token; absent values are left out. */
export function profileClaims(u: UserRecord): Record<string, unknown> {
  const email = primaryEmail(u);
  const claims: Record<string, unknown> = {
    name: fullName(u),
    given_name: u.firstName,
    family_name: u.lastName,
    nickname: u.username,
    preferred_username: u.username,
    picture: u.imageUrl || null,
    email: email?.email ?? null,
    email_verified: email ? email.verified : null,
    updated_at: seconds(u.updatedAt),
  };
  for (const k of Object.keys(claims)) if (claims[k] === null || claims[k] === undefined) delete claims[k];
  return claims;
}
