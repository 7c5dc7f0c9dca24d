/** Which configured provider a token belongs to (docs/auth.md#verifying-a-user-token). */
import { describeProvider, type AuthProvider } from "./config.js";
import { authError } from "./errors.js";

const trimSlash = (s: string) => s.replace(/\/+$/, "");

/** A token `iss` compared as Convex does: `https://` added when it has no scheme, trailing slashes ignored. */
export function sameIssuer(configured: string, tokenIssuer: string): boolean {
  const withScheme =
    tokenIssuer.startsWith("https://") || tokenIssuer.startsWith("http://") ? tokenIssuer : `https://${tokenIssuer}`;
  return trimSlash(configured) === trimSlash(withScheme);
}

export function matchProvider(
  providers: readonly AuthProvider[],
  issuer: string,
  audiences: readonly string[],
): AuthProvider {
  for (const p of providers) {
    const app = p.applicationID;
    if (app !== null && !audiences.includes(app)) continue;
    if (sameIssuer(p.kind === "oidc" ? p.domain : p.issuer, issuer)) return p;
  }
  if (providers.length === 0)
    throw authError.noProvider(
      "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
    );
  throw authError.noProvider(
    "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your " +
      `configured providers: [${providers.map(describeProvider).join(", ")}]`,
  );
}
