/**
 * Auth providers from an evaluated `auth.config.js` default export (docs/auth.md#auth-config): OIDC
 * (`domain` + `applicationID`) and `customJwt` (`issuer`, `jwks`, `algorithm`, optional
 * `applicationID`), with Convex's issuer-URL normalisation, and the `appAuth` form the push
 * API returns (`npm:cli/lib/deployApi/types.ts`).
 */
import { authError } from "./errors.js";
import { endsWithTld } from "./tld.js";

export type CustomJwtAlgorithm = "RS256" | "ES256";

export type AuthProvider =
  | { readonly kind: "oidc"; readonly domain: string; readonly applicationID: string }
  | {
      readonly kind: "customJwt";
      readonly issuer: string;
      readonly jwks: string;
      readonly algorithm: CustomJwtAlgorithm;
      readonly applicationID: string | null;
    };

/** The serialized provider (`appAuth` entries of `start_push`, and what `auth.config.js` holds). */
export type SerializedAuthInfo =
  | { applicationID: string; domain: string }
  | { type: "customJwt"; applicationID: string | null; issuer: string; jwks: string; algorithm: CustomJwtAlgorithm };

/**
 * `example.com` → `https://example.com`; `http://…`/`https://…` kept as written; any other
 * scheme, a leading quote, a bare word or an unparsable URL is rejected with Convex's text.
 */
export function normalizeIssuerUrl(original: string): string {
  const hadScheme = /^\w+:\/\//.test(original);
  const url = hadScheme ? original : `https://${original}`;
  const invalid = (why: string) =>
    authError.invalidConfig("InvalidProviderDomainUrl", `Invalid provider domain URL "${original}": ${why}`);
  if (!url.startsWith("http://") && !url.startsWith("https://")) throw invalid("must use HTTPS");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("relative URL without a base");
  }
  if (original.startsWith('"') || !parsed.hostname) throw invalid("not a valid URL");
  if (!hadScheme && !endsWithTld(parsed.hostname))
    throw invalid("Does not look like a URL (must have a scheme or end with a top-level domain)");
  return url;
}

function str(p: Record<string, unknown>, field: string, index: number): string {
  const v = p[field];
  if (typeof v !== "string")
    throw authError.invalidConfig(
      "InvalidAuthConfig",
      `Auth provider ${index} in auth.config.js: \`${field}\` must be a string${v === undefined ? " (is it set?)" : ""}`,
    );
  return v;
}

/** One provider entry (either the `auth.config.js` form or its serialized form). */
export function parseProvider(raw: unknown, index = 0): AuthProvider {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw authError.invalidConfig("InvalidAuthConfig", `Auth provider ${index} in auth.config.js must be an object`);
  const p = raw as Record<string, unknown>;
  if (p.type === "customJwt") {
    const algorithm = str(p, "algorithm", index);
    if (algorithm !== "RS256" && algorithm !== "ES256")
      throw authError.invalidConfig(
        "InvalidSignatureAlgorithm",
        `Invalid signature algorithm (only RS256 and ES256 are supported): ${algorithm}`,
      );
    const app = p.applicationID;
    if (app !== undefined && app !== null && typeof app !== "string")
      throw authError.invalidConfig("InvalidAuthConfig", `Auth provider ${index}: \`applicationID\` must be a string`);
    return {
      kind: "customJwt",
      issuer: normalizeIssuerUrl(str(p, "issuer", index)),
      jwks: str(p, "jwks", index),
      algorithm,
      applicationID: app ?? null,
    };
  }
  if (p.type !== undefined && p.type !== "oidc")
    throw authError.invalidConfig(
      "InvalidAuthConfig",
      `Auth provider ${index}: unknown type ${JSON.stringify(p.type)}`,
    );
  return {
    kind: "oidc",
    domain: normalizeIssuerUrl(str(p, "domain", index)),
    applicationID: str(p, "applicationID", index),
  };
}

/** The providers of `auth.config.js`'s default export (`{providers: [...]}`). */
export function parseAuthConfig(config: unknown): AuthProvider[] {
  const providers = (config as { providers?: unknown } | null | undefined)?.providers;
  if (typeof config !== "object" || config === null || !Array.isArray(providers))
    throw authError.invalidConfig(
      "InvalidAuthConfig",
      "auth.config.js must export default an object with a `providers` array",
    );
  return providers.map(parseProvider);
}

export function serializeProvider(p: AuthProvider): SerializedAuthInfo {
  switch (p.kind) {
    case "oidc":
      return { applicationID: p.applicationID, domain: p.domain };
    case "customJwt":
      return {
        type: "customJwt",
        applicationID: p.applicationID,
        issuer: p.issuer,
        jwks: p.jwks,
        algorithm: p.algorithm,
      };
    default:
      return p satisfies never;
  }
}

/** `OIDC(domain=…, app_id=…)` / `CustomJWT(issuer=…, app_id=…)`, as NoAuthProvider lists them. */
export function describeProvider(p: AuthProvider): string {
  switch (p.kind) {
    case "oidc":
      return `OIDC(domain=${p.domain}, app_id=${p.applicationID})`;
    case "customJwt":
      return `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? "None"})`;
    default:
      return p satisfies never;
  }
}
