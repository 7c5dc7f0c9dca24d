/**
 * The cause and the fix for each reason a user token was refused: one text for `tandem doctor
 * auth` and the dashboard's Auth doctor page (the backend's doctor queries send it along with each
 * reason, so both show the same words).
 */
import type { RejectionReason } from "./rejection-reason.js";

/** What to check when no token was refused but a signed-in user still gets no identity. */
export const NO_REJECTIONS_HINT =
  'If a signed-in user still gets no identity, the client is not sending a token: check that ConvexProviderWithClerk (or setAuth) wraps the app and that fetchToken asks for the "convex" template.';

export interface Explanation {
  readonly cause: string;
  readonly fix: string;
}

const time = (s: number) => new Date(s * 1000).toISOString();
const list = (xs: readonly string[]) => (xs.length ? xs.map((x) => JSON.stringify(x)).join(", ") : "(none)");

/** A one-line cause and the fix to make, per reason. */
export function explainRejection(r: RejectionReason): Explanation {
  switch (r.kind) {
    case "malformed":
      return {
        cause: `The token is not a usable JWT: ${r.detail}`,
        fix: 'Pass the session token from your auth provider (e.g. Clerk\'s `getToken({ template: "convex" })`), not another string.',
      };
    case "noProviders":
      return {
        cause: "The deployment has no auth providers: convex/auth.config.ts is missing or was not pushed.",
        fix: "Add convex/auth.config.ts with your issuer and run `npx convex dev` (or `tandem dev`) to push it.",
      };
    case "issuerMismatch":
      return {
        cause: `Issuer mismatch: the token's iss is ${JSON.stringify(r.tokenIssuer)} but auth.config.ts accepts ${list(r.configuredIssuers)}.`,
        fix: `Set the provider's domain in convex/auth.config.ts (usually its env var, e.g. \`npx convex env set CLERK_JWT_ISSUER_DOMAIN ${r.tokenIssuer}\`) to ${JSON.stringify(r.tokenIssuer)} and push again.`,
      };
    case "configNotPushed":
      return {
        cause: `auth.config.ts was not pushed after an env change: ${r.envVar} is now ${JSON.stringify(r.tokenIssuer)}, but the pushed config still accepts ${list(r.configuredIssuers)}.`,
        fix: "Push again (`npx convex dev` or `npx convex deploy`) so auth.config.ts is evaluated with the new value.",
      };
    case "audienceMismatch":
      return {
        cause: `Audience mismatch: the token's aud is ${list(r.tokenAudiences)} but the provider's applicationID is ${list(r.applicationIDs)}.`,
        fix: `Issue tokens with aud ${JSON.stringify(r.applicationIDs[0] ?? "convex")} (Clerk: a JWT template named "convex"), or set applicationID in convex/auth.config.ts to the token's aud and push.`,
      };
    case "expired":
      return {
        cause: `The token expired at ${time(r.expiredAt)} (${Math.round(r.now - r.expiredAt)} s before the backend checked it).`,
        fix: "Let the client refresh tokens: pass a fetchToken that honours forceRefreshToken (ConvexProviderWithClerk does), and check the backend's clock if fresh tokens are refused too.",
      };
    case "notYetValid":
      return {
        cause: `The token is not valid yet: nbf is ${time(r.notBefore)}, ${Math.round(r.notBefore - r.now)} s after the backend's clock.`,
        fix: "Synchronise the clocks of the issuer and the backend host (NTP), or stop setting nbf in the future.",
      };
    case "clockSkew":
      return {
        cause: `Clock skew: the token was issued at ${time(r.issuedAt)}, ${r.skewSeconds} s ahead of the backend's clock (${time(r.now)}).`,
        fix: "Synchronise the backend host's clock (NTP); the issuer and the backend must agree to within a few seconds.",
      };
    case "unknownKid":
      return {
        cause: `Unknown signing key: the token's kid ${JSON.stringify(r.kid)} is not in the JWKS of ${r.issuer}.`,
        fix: "The token was signed by another instance or a rotated-out key: sign in again, and check that the issuer URL in auth.config.ts is the instance that issues the tokens.",
      };
    case "jwksUnreachable":
      return {
        cause: `JWKS unreachable: the backend could not fetch the keys of ${r.issuer} (${r.detail}).`,
        fix: `Check that ${r.issuer}/.well-known/openid-configuration and its jwks_uri answer from the backend's host (DNS, firewall, proxy, TLS).`,
      };
    case "other":
      return {
        cause: `Refused (${r.code}): ${r.detail}`,
        fix: "Check the token's signature algorithm and claims against the provider in convex/auth.config.ts.",
      };
    default:
      return r satisfies never;
  }
}
