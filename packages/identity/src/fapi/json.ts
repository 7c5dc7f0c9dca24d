/**
 * Frontend API resources in Clerk's JSON shapes (docs/identity-api.md#frontend-api).
 * Timestamps are epoch milliseconds. These are what unmodified clerk-js parses.
 */
import type {
  ClientRecord,
  EmailRecord,
  ExternalAccountConnection,
  ExternalAccountRecord,
  SessionRecord,
  SignInRecord,
  SignUpRecord,
  UserRecord,
} from "../store/types.js";
import { primaryEmail } from "../tokens/user-claims.js";
import { hasSecondFactor } from "../domain/second-factor.js";
import { safePhone, secondFactorPhone, verifiedPhones } from "../domain/phones.js";
import { phoneJSON } from "./phone-json.js";
import { passkeyJSON } from "./passkey-json.js";

export function verificationJSON(
  v: { status: string; strategy: string; attempts: number | null; expireAt: number | null } | null,
) {
  if (!v) return null;
  return {
    object: "verification",
    status: v.status,
    strategy: v.strategy,
    attempts: v.attempts,
    expire_at: v.expireAt,
    error: null,
    verified_at_client: null,
  };
}

export function emailJSON(e: EmailRecord) {
  return {
    object: "email_address",
    id: e.id,
    email_address: e.email,
    reserved: false,
    verification: e.verified
      ? { object: "verification", status: "verified", strategy: "email_code", attempts: null, expire_at: null }
      : { object: "verification", status: "unverified", strategy: "email_code", attempts: null, expire_at: null },
    linked_to: [],
    matches_sso_connection: false,
    created_at: e.createdAt,
    updated_at: e.createdAt,
  };
}

export function userJSON(u: UserRecord) {
  return {
    object: "user",
    id: u.id,
    external_id: u.externalId,
    primary_email_address_id: u.primaryEmailId,
    primary_phone_number_id: u.phones?.find((p) => p.verified)?.id ?? null,
    primary_web3_wallet_id: null,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    image_url: u.imageUrl ?? "",
    has_image: Boolean(u.imageUrl),
    profile_image_id: null,
    email_addresses: u.emails.map(emailJSON),
    phone_numbers: (u.phones ?? []).map(phoneJSON),
    web3_wallets: [],
    external_accounts: [
      ...(u.externalAccounts ?? []).map(externalAccountJSON),
      ...(u.externalAccountConnections ?? []).map(connectionJSON),
    ],
    enterprise_accounts: [],
    passkeys: (u.passkeys ?? []).map((p) => passkeyJSON(p)),
    organization_memberships: [],
    saml_accounts: [],
    password_enabled: u.passwordHash !== null,
    totp_enabled: u.secondFactors?.totp ?? false,
    backup_code_enabled: u.secondFactors?.backupCodes ?? false,
    two_factor_enabled: hasSecondFactor(u),
    public_metadata: u.publicMetadata,
    unsafe_metadata: u.unsafeMetadata,
    last_sign_in_at: u.lastSignInAt,
    create_organization_enabled: true,
    create_organizations_limit: null,
    delete_self_enabled: true,
    legal_accepted_at: null,
    updated_at: u.updatedAt,
    created_at: u.createdAt,
  };
}

/**
 * A connection still at the provider (or failed there), as Clerk shows it on the user: an external
 * account with no provider details whose verification is `unverified` (with the URL to open) or
 * `failed` (with the error, e.g. `external_account_exists`).
 */
export function connectionJSON(c: ExternalAccountConnection) {
  const strategy = `oauth_${c.oauth.provider}`;
  const open = c.oauth.status === "unverified";
  return {
    object: "external_account",
    id: c.id,
    provider: strategy,
    identification_id: c.id,
    provider_user_id: "",
    approved_scopes: "",
    email_address: "",
    first_name: "",
    last_name: "",
    avatar_url: "",
    image_url: "",
    username: null,
    phone_number: null,
    public_metadata: {},
    label: null,
    verification: {
      object: "verification",
      status: c.oauth.status,
      strategy,
      attempts: null,
      expire_at: c.oauth.expireAt,
      external_verification_redirect_url: open ? c.oauth.authorizationUrl : null,
      error: c.oauth.error
        ? { code: c.oauth.error, message: c.oauth.error, long_message: c.oauth.error, meta: {} }
        : null,
    },
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function externalAccountJSON(a: ExternalAccountRecord) {
  const strategy = `oauth_${a.provider}`;
  return {
    object: "external_account",
    id: a.id,
    provider: strategy,
    identification_id: a.id,
    provider_user_id: a.subject,
    approved_scopes: a.scopes,
    email_address: a.email ?? "",
    first_name: a.firstName ?? "",
    last_name: a.lastName ?? "",
    avatar_url: a.imageUrl ?? "",
    image_url: a.imageUrl ?? "",
    username: null,
    phone_number: null,
    public_metadata: {},
    label: null,
    verification: { object: "verification", status: "verified", strategy, attempts: null, expire_at: null },
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export function publicUserData(u: UserRecord) {
  return {
    first_name: u.firstName,
    last_name: u.lastName,
    image_url: u.imageUrl ?? "",
    has_image: Boolean(u.imageUrl),
    identifier: primaryEmail(u)?.email ?? u.username ?? "",
    user_id: u.id,
  };
}

/** `u` is null when the session's user is gone: the session still renders every field (the Android model requires them). */
export function sessionJSON(s: SessionRecord, u: UserRecord | null, lastActiveJwt: string | null, now: number) {
  return {
    object: "session",
    id: s.id,
    status: s.status,
    factor_verification_age: [Math.max(0, Math.floor((now - s.firstFactorAt) / 60_000)), -1],
    expire_at: s.expireAt,
    abandon_at: s.abandonAt,
    last_active_at: s.lastActiveAt,
    last_active_token: lastActiveJwt ? { object: "token", jwt: lastActiveJwt } : null,
    last_active_organization_id: s.activeOrganizationId ?? null,
    actor: null,
    tasks: null,
    user: u ? userJSON(u) : null,
    public_user_data: u ? publicUserData(u) : null,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** A masked e-mail for sign-in factors: `j***@example.com`. */
export const safeIdentifier = (email: string) => email.replace(/^(.)[^@]*/, "$1***");

/** The second factors a sign-in offers `u` (TOTP users can always fall back on a backup code they hold). */
function secondFactorsJSON(u: UserRecord) {
  const sms = secondFactorPhone(u);
  return [
    ...(u.secondFactors?.totp ? [{ strategy: "totp" }] : []),
    ...(sms
      ? [
          {
            strategy: "phone_code",
            phone_number_id: sms.id,
            safe_identifier: safePhone(sms.phone),
            default: sms.defaultSecondFactor,
          },
        ]
      : []),
    ...(u.secondFactors?.backupCodes ? [{ strategy: "backup_code" }] : []),
  ];
}

export function signInJSON(si: SignInRecord | null, user: UserRecord | null) {
  if (!si) return null;
  const email = user ? primaryEmail(user) : null;
  const factors: Record<string, unknown>[] = [];
  if (si.status !== "complete" && si.status !== "needs_second_factor") {
    if (!user || user.passwordHash) factors.push({ strategy: "password" });
    if (email || !user) {
      const base = {
        email_address_id: email?.id ?? "idn_unknown",
        safe_identifier: safeIdentifier(email?.email ?? si.identifier ?? "x@x"),
        primary: true,
      };
      factors.push(
        { strategy: "email_code", ...base },
        { strategy: "email_link", ...base },
        { strategy: "reset_password_email_code", ...base },
      );
    }
    for (const p of user ? verifiedPhones(user) : [])
      factors.push({
        strategy: "phone_code",
        phone_number_id: p.id,
        safe_identifier: safePhone(p.phone),
        primary: p.id === user?.phones?.find((x) => x.verified)?.id,
      });
  }
  return {
    object: "sign_in",
    id: si.id,
    status: si.status,
    supported_identifiers: ["email_address", "username", "phone_number"],
    identifier: si.identifier,
    user_data: user
      ? {
          first_name: user.firstName,
          last_name: user.lastName,
          image_url: user.imageUrl ?? "",
          has_image: Boolean(user.imageUrl),
        }
      : null,
    supported_first_factors: factors,
    supported_second_factors: si.status === "needs_second_factor" && user ? secondFactorsJSON(user) : null,
    first_factor_verification: si.verification
      ? {
          ...verificationJSON({ ...si.verification }),
          // The provider URL clerk-js sends the browser to (`oauth_<provider>`, fapi/oauth.ts).
          external_verification_redirect_url: si.oauth?.status === "unverified" ? si.oauth.authorizationUrl : null,
          // The WebAuthn request options of a pending `passkey` attempt (fapi/passkeys.ts).
          nonce: si.passkey?.options ?? null,
          ...(si.oauth?.error
            ? { error: { code: si.oauth.error, message: si.oauth.error, long_message: si.oauth.error, meta: {} } }
            : {}),
        }
      : null,
    second_factor_verification: si.secondFactor
      ? verificationJSON({
          ...si.secondFactor,
          status: si.secondFactor.status === "failed" ? "unverified" : si.secondFactor.status,
          expireAt: null,
        })
      : null,
    created_session_id: si.createdSessionId,
    abandon_at: si.createdAt + 24 * 3600_000,
  };
}

export function signUpJSON(su: SignUpRecord | null) {
  if (!su) return null;
  const required = ["email_address", "password"];
  const missing = [...(su.email ? [] : ["email_address"]), ...(su.passwordHash ? [] : ["password"])];
  const unverified = [
    ...(su.email && !su.emailVerified ? ["email_address"] : []),
    ...(su.phone && !su.phoneVerified ? ["phone_number"] : []),
  ];
  return {
    object: "sign_up_attempt",
    id: su.id,
    status: su.status,
    required_fields: required,
    optional_fields: ["first_name", "last_name", "username", "phone_number"],
    missing_fields: missing,
    unverified_fields: unverified,
    verifications: {
      email_address: su.email
        ? {
            object: "verification",
            status: su.emailVerified ? "verified" : (su.verificationStatus ?? "unverified"),
            strategy: su.emailLink ? "email_link" : "email_code",
            attempts: su.code?.attempts ?? null,
            expire_at: su.code?.expireAt ?? su.emailLink?.expireAt ?? null,
            next_action: su.emailVerified ? "" : "needs_attempt",
            supported_strategies: ["email_code", "email_link"],
          }
        : null,
      phone_number: su.phone
        ? {
            object: "verification",
            status: su.phoneVerified ? "verified" : "unverified",
            strategy: "phone_code",
            attempts: su.phoneCode?.attempts ?? null,
            expire_at: su.phoneCode?.expireAt ?? null,
            next_action: su.phoneVerified ? "" : "needs_attempt",
            supported_strategies: ["phone_code"],
          }
        : null,
      web3_wallet: null,
      external_account: su.oauth
        ? {
            object: "verification",
            status: su.oauth.status,
            strategy: `oauth_${su.oauth.provider}`,
            attempts: null,
            expire_at: su.oauth.expireAt,
            // The provider URL clerk-js sends the browser to while unverified (fapi/oauth-sign-up.ts).
            external_verification_redirect_url: su.oauth.status === "unverified" ? su.oauth.authorizationUrl : null,
            error: su.oauth.error
              ? { code: su.oauth.error, message: su.oauth.error, long_message: su.oauth.error, meta: {} }
              : null,
          }
        : null,
    },
    username: su.username,
    email_address: su.email,
    phone_number: su.phone ?? null,
    web3_wallet: null,
    password_enabled: su.passwordHash !== null,
    first_name: su.firstName,
    last_name: su.lastName,
    unsafe_metadata: su.unsafeMetadata,
    public_metadata: {},
    custom_action: false,
    external_id: null,
    created_session_id: su.createdSessionId,
    created_user_id: su.createdUserId,
    abandon_at: su.createdAt + 24 * 3600_000,
    legal_accepted_at: null,
    missing_requirements: missing,
  };
}

export function clientJSON(
  c: ClientRecord,
  sessions: ReturnType<typeof sessionJSON>[],
  signIn: ReturnType<typeof signInJSON>,
  signUp: ReturnType<typeof signUpJSON>,
) {
  return {
    object: "client",
    id: c.id,
    sessions,
    sign_in: signIn,
    sign_up: signUp,
    last_active_session_id: sessions.some((s) => s.id === c.lastActiveSessionId)
      ? c.lastActiveSessionId
      : (sessions[0]?.id ?? null),
    last_authentication_strategy: null,
    // null turns off clerk-js's ITP `/v1/client/touch?redirect_url=` hop (docs/identity-api.md#transport).
    cookie_expires_at: null,
    captcha_bypass: false,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}
