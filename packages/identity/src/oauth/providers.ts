/**
 * The OAuth 2.0 / OIDC providers an instance signs in with (`oauth_<provider>` strategies). Each
 * is configured with an OIDC issuer (endpoints from its discovery document) or explicit
 * endpoints, a client id and secret. Presets fill the issuer for well-known OIDC providers.
 */
import { createRemoteJWKSet } from "jose";
import { ApiError } from "../errors.js";

export interface OAuthProviderOptions {
  /** The key in `oauth_<provider>`: lower-case letters, digits and `_` (e.g. `google`, `acme`). */
  provider: string;
  clientId: string;
  clientSecret: string;
  /** An OIDC issuer: endpoints and keys come from `<issuer>/.well-known/openid-configuration`. */
  issuer?: string;
  /** Explicit endpoints, for providers without discovery (they override discovered ones). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  /**
   * GitHub-style providers whose profile carries no verified e-mail: a `GET` with the access token
   * answering `[{email, primary, verified}]`; the primary verified address is used.
   */
  emailsEndpoint?: string;
  /** Default `openid email profile` (GitHub preset: `read:user user:email`). */
  scopes?: string;
  /** Shown by sign-in components; default: the provider key. */
  name?: string;
}

/** Issuers of well-known OIDC providers, used when `issuer` is left out. */
const PRESET_ISSUERS: Record<string, string> = {
  google: "https://accounts.google.com",
  microsoft: "https://login.microsoftonline.com/common/v2.0",
  apple: "https://appleid.apple.com",
};

/** Plain OAuth 2.0 presets (no OIDC discovery): GitHub's endpoints, its e-mail list included. */
const PRESET_ENDPOINTS: Record<
  string,
  Required<
    Pick<
      OAuthProviderOptions,
      "authorizationEndpoint" | "tokenEndpoint" | "userinfoEndpoint" | "emailsEndpoint" | "scopes"
    >
  >
> = {
  github: {
    authorizationEndpoint: "https://github.com/login/oauth/authorize",
    tokenEndpoint: "https://github.com/login/oauth/access_token",
    userinfoEndpoint: "https://api.github.com/user",
    emailsEndpoint: "https://api.github.com/user/emails",
    scopes: "read:user user:email",
  },
};

export interface ResolvedProvider {
  options: OAuthProviderOptions;
  issuer: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | null;
  emailsEndpoint: string | null;
  jwks: ReturnType<typeof createRemoteJWKSet> | null;
  scopes: string;
}

export class OAuthProviders {
  readonly #options = new Map<string, OAuthProviderOptions>();
  readonly #resolved = new Map<string, Promise<ResolvedProvider>>();

  constructor(list: OAuthProviderOptions[] = []) {
    for (const p of list) {
      if (!/^[a-z0-9_]{1,40}$/.test(p.provider))
        throw new Error(`oauth provider key "${p.provider}" must be lower-case letters, digits or _`);
      if (
        !p.issuer &&
        !PRESET_ISSUERS[p.provider] &&
        !PRESET_ENDPOINTS[p.provider] &&
        !(p.authorizationEndpoint && p.tokenEndpoint)
      )
        throw new Error(`oauth provider "${p.provider}" needs an issuer or explicit endpoints`);
      this.#options.set(p.provider, p);
    }
  }

  /** The configured providers' keys, in configuration order. */
  keys(): string[] {
    return [...this.#options.keys()];
  }

  nameOf(provider: string): string {
    return this.#options.get(provider)?.name ?? provider;
  }

  /** `oauth_<provider>` → the provider key, if configured. */
  fromStrategy(strategy: string): string | null {
    const key = strategy.startsWith("oauth_") ? strategy.slice(6) : "";
    return this.#options.has(key) ? key : null;
  }

  /** Endpoints and keys (discovery is fetched once and cached; a failure is retried next time). */
  resolve(provider: string): Promise<ResolvedProvider> {
    const options = this.#options.get(provider);
    if (!options) return Promise.reject(new ApiError("strategy_for_user_invalid", { param: "strategy" }));
    let r = this.#resolved.get(provider);
    if (!r) {
      r = discover(options);
      r.catch(() => this.#resolved.delete(provider));
      this.#resolved.set(provider, r);
    }
    return r;
  }
}

async function discover(options: OAuthProviderOptions): Promise<ResolvedProvider> {
  // Explicit options win over a preset's endpoints (a test points the GitHub preset at a fake).
  const o: OAuthProviderOptions = { ...PRESET_ENDPOINTS[options.provider], ...options };
  const issuer = o.issuer ?? PRESET_ISSUERS[o.provider] ?? null;
  let doc: Record<string, unknown> = {};
  if (issuer) {
    try {
      const res = await fetch(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      doc = (await res.json()) as Record<string, unknown>;
    } catch {
      // Unreachable, refused or not JSON: the client gets a clear 503; the next attempt retries discovery.
      throw new ApiError("oauth_provider_unavailable");
    }
  }
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const authorizationEndpoint = o.authorizationEndpoint ?? str(doc.authorization_endpoint);
  const tokenEndpoint = o.tokenEndpoint ?? str(doc.token_endpoint);
  if (!authorizationEndpoint || !tokenEndpoint) throw new ApiError("oauth_provider_unavailable");
  const jwksUri = str(doc.jwks_uri);
  return {
    options: o,
    issuer: str(doc.issuer) ?? issuer,
    authorizationEndpoint,
    tokenEndpoint,
    userinfoEndpoint: o.userinfoEndpoint ?? str(doc.userinfo_endpoint),
    emailsEndpoint: o.emailsEndpoint ?? null,
    jwks: jwksUri ? createRemoteJWKSet(new URL(jwksUri)) : null,
    scopes: o.scopes ?? "openid email profile",
  };
}
