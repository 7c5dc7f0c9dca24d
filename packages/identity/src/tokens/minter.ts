/**
 * Signs session and template tokens (RS256, header `{alg, kid, typ: "JWT"}`). Every call mints a
 * new token — fresh `iat` and random `jti` — so `getToken({ skipCache: true })` always changes.
 */
import { SignJWT } from "jose";
import { randomToken } from "../crypto/secrets.js";
import type { KeyRing } from "../crypto/keyring.js";
import type { JwtTemplateRecord, SessionRecord, UserRecord } from "../store/types.js";
import { profileClaims, shortcodeUser } from "./user-claims.js";
import { renderClaims } from "./shortcodes.js";
import { sessionOrgClaims, shortcodeOrg, type ActiveOrg } from "./org-claims.js";

export interface MintContext {
  /** `Origin` of the request that asked for the token; becomes `azp`. */
  origin?: string | undefined;
  now?: number;
  /** Minted for a native SDK (`_is_native`): the session token gets `nativeLifetimeSeconds`. */
  native?: boolean;
  /** The session's active organization (clerk-js `setActive({ organization })`). */
  org?: ActiveOrg | null;
}

export interface SessionTokenConfig {
  lifetimeSeconds: number;
  /**
   * Lifetime of session tokens minted to native SDKs. The Convex Android client the Clerk glue
   * pins hands the backend one token and never refreshes it, so a 60 s token freezes the app
   * after a minute (docs/android-guide.md#token-lifetime). Default: `lifetimeSeconds`.
   */
  nativeLifetimeSeconds?: number;
  clockSkewSeconds: number;
  audience: string;
}

const minutesSince = (now: number, at: number | null) =>
  at === null ? -1 : Math.max(0, Math.floor((now - at) / 60_000));

export class TokenMinter {
  constructor(
    private readonly keys: KeyRing,
    readonly issuer: string,
    private readonly session: SessionTokenConfig,
  ) {}

  private async sign(
    claims: Record<string, unknown>,
    sub: string,
    lifetime: number,
    skew: number,
    ctx: MintContext,
  ): Promise<string> {
    const now = Math.floor((ctx.now ?? Date.now()) / 1000);
    const { kid, key } = await this.keys.active();
    const payload: Record<string, unknown> = { ...claims };
    if (ctx.origin) payload.azp = ctx.origin;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setSubject(sub)
      .setIssuedAt(now)
      .setNotBefore(now - skew)
      .setExpirationTime(now + lifetime)
      .setJti(randomToken(15))
      .sign(key);
  }

  /** Clerk v2 session-token claims plus `aud` and the OIDC profile claims. */
  sessionToken(session: SessionRecord, user: UserRecord, ctx: MintContext = {}): Promise<string> {
    const now = ctx.now ?? Date.now();
    const claims = {
      ...profileClaims(user),
      aud: this.session.audience,
      sid: session.id,
      v: 2,
      fva: [minutesSince(now, session.firstFactorAt), -1],
      sts: "active",
      ...(ctx.org ? sessionOrgClaims(ctx.org) : {}),
    };
    const lifetime = ctx.native
      ? (this.session.nativeLifetimeSeconds ?? this.session.lifetimeSeconds)
      : this.session.lifetimeSeconds;
    return this.sign(claims, user.id, lifetime, this.session.clockSkewSeconds, { ...ctx, now });
  }

  templateToken(template: JwtTemplateRecord, user: UserRecord, ctx: MintContext = {}): Promise<string> {
    const claims = renderClaims(template.claims, { user: shortcodeUser(user), ...shortcodeOrg(ctx.org) });
    return this.sign(claims, user.id, template.lifetime, template.allowedClockSkew, ctx);
  }
}
