/**
 * The OIDC discovery document. `issuer` is byte-identical to every token's `iss` (no trailing
 * slash); the six fields the Rust `openidconnect` crate (Convex's verifier) requires are present.
 * This service issues tokens through its own API, not through OAuth flows, so the authorization
 * endpoint is listed for conformance only.
 */
export function discoveryDocument(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "profile", "email"],
    claims_supported: [
      "sub",
      "iss",
      "aud",
      "exp",
      "iat",
      "nbf",
      "jti",
      "azp",
      "sid",
      "name",
      "given_name",
      "family_name",
      "nickname",
      "preferred_username",
      "picture",
      "email",
      "email_verified",
      "updated_at",
    ],
    token_endpoint_auth_methods_supported: ["none"],
  };
}
