/** The `convex` JWT template, as Clerk's dashboard preset defines it (docs/identity-api.md#jwt-templates). */
export const CONVEX_TEMPLATE = {
  name: "convex",
  lifetime: 60,
  allowedClockSkew: 5,
  claims: {
    aud: "convex",
    name: "{{user.full_name}}",
    email: "{{user.primary_email_address}}",
    picture: "{{user.image_url}}",
    nickname: "{{user.username}}",
    given_name: "{{user.first_name}}",
    updated_at: "{{user.updated_at}}",
    family_name: "{{user.last_name}}",
    phone_number: "{{user.primary_phone_number}}",
    email_verified: "{{user.email_verified}}",
    phone_number_verified: "{{user.phone_number_verified}}",
  },
} as const;

/** Claims a template may not set: every template token gets them from the service. */
export const RESERVED_TEMPLATE_CLAIMS = ["azp", "exp", "iat", "iss", "jti", "nbf", "sub"] as const;

export const TEMPLATE_LIMITS = { minLifetime: 30, maxLifetime: 315_360_000, minSkew: 0, maxSkew: 300 } as const;
