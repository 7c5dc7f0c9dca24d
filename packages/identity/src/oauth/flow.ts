/**
 * The authorization-code flow with PKCE (S256), `state` and `nonce`:
 * `startAuthorization` builds the provider URL and what the sign-in keeps (only a digest of the
 * state secret); `finishAuthorization` exchanges the code and returns the verified profile. The
 * ID token's signature, issuer, audience, expiry and nonce are checked with jose; without an ID
 * token (plain OAuth 2.0) the profile comes from the userinfo endpoint.
 */
import { createHash } from "node:crypto";
import { jwtVerify } from "jose";
import { ApiError } from "../errors.js";
import { CODE_TTL_MS } from "../config.js";
import { randomToken, sha256Hex } from "../crypto/secrets.js";
import type { PendingOAuth } from "../store/types.js";
import type { ResolvedProvider } from "./providers.js";

export interface OAuthProfile {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  scopes: string;
}

export const callbackUrl = (issuer: string) => `${issuer}/v1/oauth_callback`;

export function startAuthorization(
  p: ResolvedProvider,
  issuer: string,
  flowId: string,
  now: number,
  redirectUrl: string,
  actionCompleteRedirectUrl: string | null,
): { url: string; pending: PendingOAuth } {
  const secret = randomToken(24);
  const nonce = randomToken(16);
  const codeVerifier = randomToken(32);
  const url = new URL(p.authorizationEndpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", p.options.clientId);
  url.searchParams.set("redirect_uri", callbackUrl(issuer));
  url.searchParams.set("scope", p.scopes);
  url.searchParams.set("state", `${flowId}.${secret}`);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", createHash("sha256").update(codeVerifier).digest("base64url"));
  url.searchParams.set("code_challenge_method", "S256");
  return {
    url: url.href,
    pending: {
      provider: p.options.provider,
      stateHash: sha256Hex(secret),
      nonce,
      codeVerifier,
      redirectUrl,
      actionCompleteRedirectUrl,
      expireAt: now + CODE_TTL_MS,
      status: "unverified",
      error: null,
      authorizationUrl: url.href,
    },
  };
}

/** `<sign-in, sign-up or connection id>.<secret>` from a `state`, or null when it cannot be one of ours. */
export function parseState(state: string | null): { flowId: string; secret: string } | null {
  const m = state ? /^((?:sia|sua|eac)_[0-9A-Za-z]{1,64})\.([A-Za-z0-9_-]{20,80})$/.exec(state) : null;
  return m ? { flowId: m[1]!, secret: m[2]! } : null;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

/** Network failures talking to the provider become `oauth_provider_unavailable` (the sign-in is marked failed). */
export async function finishAuthorization(
  p: ResolvedProvider,
  issuer: string,
  pending: PendingOAuth,
  code: string,
): Promise<OAuthProfile> {
  try {
    return await exchange(p, issuer, pending, code);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError("oauth_provider_unavailable");
  }
}

async function exchange(
  p: ResolvedProvider,
  issuer: string,
  pending: PendingOAuth,
  code: string,
): Promise<OAuthProfile> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: callbackUrl(issuer),
    code_verifier: pending.codeVerifier,
  });
  const basic = Buffer.from(
    `${encodeURIComponent(p.options.clientId)}:${encodeURIComponent(p.options.clientSecret)}`,
  ).toString("base64");
  const res = await fetch(p.tokenEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      authorization: `Basic ${basic}`,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const tokens = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof tokens.access_token !== "string") throw new ApiError("oauth_token_exchange_failed");
  let claims: Record<string, unknown> = {};
  if (typeof tokens.id_token === "string") {
    if (!p.jwks) throw new ApiError("oauth_token_exchange_failed");
    try {
      ({ payload: claims } = await jwtVerify(tokens.id_token, p.jwks, {
        audience: p.options.clientId,
        ...(p.issuer ? { issuer: p.issuer } : {}),
      }));
    } catch {
      throw new ApiError("oauth_token_exchange_failed", { detail: "The provider's ID token did not verify." });
    }
    if (claims.nonce !== pending.nonce)
      throw new ApiError("oauth_token_exchange_failed", { detail: "The ID token's nonce does not match." });
  }
  if ((!str(claims.email) || !claims.sub) && p.userinfoEndpoint) {
    const info = await fetch(p.userinfoEndpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: "application/json" },
      signal: AbortSignal.timeout(10_000),
    });
    if (info.ok) {
      const extra = (await info.json()) as Record<string, unknown>;
      // The ID token's subject wins; userinfo must agree with it.
      if (claims.sub && extra.sub !== claims.sub) throw new ApiError("oauth_token_exchange_failed");
      claims = { ...extra, ...claims };
    }
  }
  const subject = str(claims.sub) ?? (typeof claims.id === "number" ? String(claims.id) : str(claims.id));
  if (!subject) throw new ApiError("oauth_token_exchange_failed");
  let email = str(claims.email)?.toLowerCase() ?? null;
  let emailVerified = claims.email_verified === true;
  if (p.emailsEndpoint && !(email && emailVerified)) {
    // GitHub-style: the profile's `email` is only the public one, with no verified flag.
    const primary = await primaryVerifiedEmail(p.emailsEndpoint, tokens.access_token);
    email = primary;
    emailVerified = primary !== null;
  }
  // OIDC names, else a single `name` (GitHub) split at its first space.
  const [first, ...rest] = (str(claims.name) ?? "").split(" ");
  return {
    subject,
    email,
    emailVerified,
    firstName: str(claims.given_name) ?? (first || null),
    lastName: str(claims.family_name) ?? (rest.join(" ") || null),
    imageUrl: str(claims.picture) ?? str(claims.avatar_url),
    scopes: str(tokens.scope) ?? p.scopes,
  };
}

/** The primary verified address from a GitHub-style `[{email, primary, verified}]` list, else null. */
async function primaryVerifiedEmail(endpoint: string, accessToken: string): Promise<string | null> {
  const res = await fetch(endpoint, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new ApiError("oauth_token_exchange_failed", { detail: "The provider's e-mail list failed." });
  const list = (await res.json().catch(() => null)) as unknown;
  if (!Array.isArray(list)) throw new ApiError("oauth_token_exchange_failed");
  const found = list.find(
    (e): e is { email: string } =>
      typeof e === "object" && e !== null && e.primary === true && e.verified === true && typeof e.email === "string",
  );
  return found ? found.email.toLowerCase() : null;
}
