/**
 * Why a user token was refused, worked out from the token's unverified claims, the configured
 * providers, the deployment's current env vars and the verifier's error, so `tandem doctor auth`
 * can name the cause and the fix. Holds no token: only claims that identify (iss, aud, sub, kid)
 * and times.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { isTandemError } from "@tandem/shared";
import type { AuthProvider } from "./config.js";
import { sameIssuer } from "./provider-match.js";

export type RejectionReason =
  | { readonly kind: "malformed"; readonly detail: string }
  | { readonly kind: "noProviders" }
  | { readonly kind: "issuerMismatch"; readonly tokenIssuer: string; readonly configuredIssuers: readonly string[] }
  | {
      readonly kind: "configNotPushed";
      readonly tokenIssuer: string;
      readonly envVar: string;
      readonly configuredIssuers: readonly string[];
    }
  | {
      readonly kind: "audienceMismatch";
      readonly tokenAudiences: readonly string[];
      readonly applicationIDs: readonly string[];
    }
  | { readonly kind: "expired"; readonly expiredAt: number; readonly now: number }
  | { readonly kind: "notYetValid"; readonly notBefore: number; readonly now: number }
  | { readonly kind: "clockSkew"; readonly issuedAt: number; readonly now: number; readonly skewSeconds: number }
  | { readonly kind: "unknownKid"; readonly kid: string | null; readonly issuer: string }
  | { readonly kind: "jwksUnreachable"; readonly issuer: string; readonly detail: string }
  | { readonly kind: "other"; readonly code: string; readonly detail: string };

export type RejectionKind = RejectionReason["kind"];

export interface DiagnoseContext {
  readonly providers: readonly AuthProvider[];
  /** The deployment's env vars now (auth.config.ts was evaluated with those of the last push). */
  readonly env: Readonly<Record<string, string>>;
  /** Seconds since the epoch. */
  readonly nowSeconds: number;
}

/** A token issued this far in the future says the two clocks disagree. */
const SKEW_TOLERANCE_S = 5;

const issuerOf = (p: AuthProvider) => (p.kind === "oidc" ? p.domain : p.issuer);

function errorCode(e: unknown): string {
  if (isTandemError(e)) return e.code;
  return e instanceof Error ? e.name : "Error";
}

/** The jose error code under our wrapper, e.g. `ERR_JWKS_NO_MATCHING_KEY`. */
function joseCode(e: unknown): string | null {
  const cause = (e as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : null;
}

export function diagnoseRejection(token: string, error: unknown, ctx: DiagnoseContext): RejectionReason {
  let claims: Record<string, unknown>;
  let kid: string | null;
  try {
    claims = decodeJwt(token) as Record<string, unknown>;
    const k = decodeProtectedHeader(token).kid;
    kid = typeof k === "string" ? k : null;
  } catch {
    return {
      kind: "malformed",
      detail: "The token is not a JWT (three base64url parts with a JSON header and claims).",
    };
  }
  const iss = typeof claims.iss === "string" ? claims.iss : "";
  if (!iss) return { kind: "malformed", detail: "The token has no `iss` claim." };
  const aud = claims.aud;
  const audiences =
    typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];

  const configuredIssuers = ctx.providers.map(issuerOf);
  const sameIss = ctx.providers.filter((p) => sameIssuer(issuerOf(p), iss));
  if (sameIss.length === 0) {
    // The issuer is in an env var now but not in the pushed config: the env changed after the push.
    const envVar = Object.keys(ctx.env)
      .sort()
      .find(
        (name) =>
          ctx.env[name] !== "" &&
          sameIssuer(ctx.env[name]!.startsWith("http") ? ctx.env[name]! : `https://${ctx.env[name]}`, iss),
      );
    if (envVar) return { kind: "configNotPushed", tokenIssuer: iss, envVar, configuredIssuers };
    if (ctx.providers.length === 0) return { kind: "noProviders" };
    return { kind: "issuerMismatch", tokenIssuer: iss, configuredIssuers };
  }
  if (!sameIss.some((p) => p.applicationID === null || audiences.includes(p.applicationID)))
    return {
      kind: "audienceMismatch",
      tokenAudiences: audiences,
      applicationIDs: sameIss.map((p) => p.applicationID ?? "(any)"),
    };

  const code = errorCode(error);
  if (code === "AuthProviderDiscoveryFailed") {
    const cause = (error as { cause?: unknown }).cause;
    return { kind: "jwksUnreachable", issuer: iss, detail: cause instanceof Error ? cause.message : String(error) };
  }
  const jose = joseCode(error);
  if (jose === "ERR_JWKS_NO_MATCHING_KEY" || (error instanceof Error && /'kid'/.test(error.message)))
    return { kind: "unknownKid", kid, issuer: iss };

  const now = ctx.nowSeconds;
  // Issued "in the future" by our clock: the issuer's and the backend's clocks disagree (a token
  // with nbf ahead but iat behind was merely made to start later).
  const skewed = typeof claims.iat === "number" && claims.iat > now + SKEW_TOLERANCE_S;
  const skew = () => ({
    kind: "clockSkew" as const,
    issuedAt: claims.iat as number,
    now,
    skewSeconds: Math.round((claims.iat as number) - now),
  });
  if (typeof claims.nbf === "number" && claims.nbf > now)
    return skewed ? skew() : { kind: "notYetValid", notBefore: claims.nbf, now };
  if (typeof claims.exp === "number" && claims.exp <= now) return { kind: "expired", expiredAt: claims.exp, now };
  if (skewed) return skew();
  return { kind: "other", code, detail: error instanceof Error ? error.message : String(error) };
}
