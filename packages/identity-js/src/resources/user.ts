/**
 * The signed-in user (Clerk's `UserResource` fields the guides and components read), with the
 * `/v1/me` operations: update names/username/metadata, change password, reload, delete.
 */
import { AuthClientError } from "../errors.js";
import type { ResourceCore } from "./core.js";
import type { ExternalAccountJSON, PasskeyJSON, UserJSON } from "./json.js";
import { ExternalAccountResource } from "./external-account.js";
import { absolute, type OAuthStrategy } from "./oauth.js";
import { createCredential } from "./webauthn.js";
import { emailAddress, type EmailAddress } from "./verification.js";
import { organizationMembership, type OrganizationMembershipResource } from "./organization.js";

export interface UpdateUserParams {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  primaryEmailAddressId?: string;
  unsafeMetadata?: Record<string, unknown>;
}

export interface UpdatePasswordParams {
  currentPassword?: string;
  newPassword: string;
  signOutOfOtherSessions?: boolean;
}

export function fullNameOf(first: string | null, last: string | null): string | null {
  return [first, last].filter(Boolean).join(" ").trim() || null;
}

export class UserResource {
  readonly id: string;
  readonly externalId: string | null;
  readonly username: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly fullName: string | null;
  readonly imageUrl: string;
  readonly hasImage: boolean;
  readonly emailAddresses: EmailAddress[];
  readonly primaryEmailAddressId: string | null;
  readonly primaryEmailAddress: EmailAddress | null;
  /** Phone numbers (E.164); verified ones sign in with `phone_code`. */
  readonly phoneNumbers: { id: string; phoneNumber: string; verified: boolean; reservedForSecondFactor: boolean }[];
  readonly primaryPhoneNumber = null;
  /** Social accounts (`oauth_<provider>`): linked ones, and connections unfinished or failed. */
  readonly externalAccounts: ExternalAccountResource[];
  /** Registered passkeys. */
  readonly passkeys: { id: string; name: string; lastUsedAt: Date | null; createdAt: Date }[];
  readonly organizationMemberships: OrganizationMembershipResource[];
  readonly passwordEnabled: boolean;
  readonly twoFactorEnabled: boolean;
  readonly totpEnabled: boolean;
  readonly backupCodeEnabled: boolean;
  readonly deleteSelfEnabled: boolean;
  readonly publicMetadata: Record<string, unknown>;
  readonly unsafeMetadata: Record<string, unknown>;
  readonly lastSignInAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly #core: ResourceCore;
  readonly #sessionId: string;

  constructor(core: ResourceCore, sessionId: string, json: UserJSON) {
    this.#core = core;
    this.#sessionId = sessionId;
    this.id = json.id;
    this.externalId = json.external_id;
    this.username = json.username;
    this.firstName = json.first_name;
    this.lastName = json.last_name;
    this.fullName = fullNameOf(json.first_name, json.last_name);
    this.imageUrl = json.image_url ?? "";
    this.hasImage = Boolean(json.has_image);
    this.emailAddresses = (json.email_addresses ?? []).map(emailAddress);
    this.organizationMemberships = (json.organization_memberships ?? []).map(organizationMembership);
    this.externalAccounts = (json.external_accounts ?? []).map((a) => new ExternalAccountResource(core, sessionId, a));
    this.phoneNumbers = (json.phone_numbers ?? []).map((p) => ({
      id: p.id,
      phoneNumber: p.phone_number,
      verified: p.verification?.status === "verified",
      reservedForSecondFactor: Boolean(p.reserved_for_second_factor),
    }));
    this.passkeys = (json.passkeys ?? [])
      .filter((p) => p.verification?.status === "verified")
      .map((p) => ({
        id: p.id,
        name: p.name,
        lastUsedAt: p.last_used_at ? new Date(p.last_used_at) : null,
        createdAt: new Date(p.created_at),
      }));
    this.primaryEmailAddressId = json.primary_email_address_id;
    this.primaryEmailAddress = this.emailAddresses.find((e) => e.id === json.primary_email_address_id) ?? null;
    this.passwordEnabled = Boolean(json.password_enabled);
    this.twoFactorEnabled = Boolean(json.two_factor_enabled);
    this.totpEnabled = Boolean(json.totp_enabled);
    this.backupCodeEnabled = Boolean(json.backup_code_enabled);
    this.deleteSelfEnabled = json.delete_self_enabled !== false;
    this.publicMetadata = json.public_metadata ?? {};
    this.unsafeMetadata = json.unsafe_metadata ?? {};
    this.lastSignInAt = json.last_sign_in_at ? new Date(json.last_sign_in_at) : null;
    this.createdAt = new Date(json.created_at);
    this.updatedAt = new Date(json.updated_at);
  }

  get #query() {
    return { _clerk_session_id: this.#sessionId };
  }

  async update(params: UpdateUserParams): Promise<UserResource> {
    const json = await this.#core.call<UserJSON>("PATCH", "/v1/me", { ...params }, this.#query);
    return new UserResource(this.#core, this.#sessionId, json);
  }

  async updatePassword(params: UpdatePasswordParams): Promise<UserResource> {
    const json = await this.#core.call<UserJSON>("POST", "/v1/me/change_password", { ...params }, this.#query);
    return new UserResource(this.#core, this.#sessionId, json);
  }

  /** Registers a passkey with the browser's authenticator (`navigator.credentials.create`). */
  async createPasskey(): Promise<void> {
    const pending = await this.#core.call<PasskeyJSON>("POST", "/v1/me/passkeys", undefined, this.#query);
    const options = pending.verification?.nonce;
    if (!options) throw new AuthClientError("invalid_response", "The server gave no passkey options.");
    const credential = await createCredential(options);
    await this.#core.call(
      "POST",
      `/v1/me/passkeys/${encodeURIComponent(pending.id)}/attempt_verification`,
      { strategy: "passkey", publicKeyCredential: credential },
      this.#query,
    );
  }

  /** Starts an authenticator app: the secret and its `otpauth://` URI (for a QR code). */
  async createTOTP(): Promise<{ id: string; secret: string; uri: string }> {
    const t = await this.#core.call<{ id: string; secret: string; uri: string }>(
      "POST",
      "/v1/me/totp",
      undefined,
      this.#query,
    );
    return { id: t.id, secret: t.secret, uri: t.uri };
  }

  /** Verifies the app's first code: two-step verification is on; answers the ten backup codes. */
  async verifyTOTP(params: { code: string }): Promise<{ backupCodes: string[] }> {
    const t = await this.#core.call<{ backup_codes: string[] | null }>(
      "POST",
      "/v1/me/totp/attempt_verification",
      { code: params.code },
      this.#query,
    );
    return { backupCodes: t.backup_codes ?? [] };
  }

  async disableTOTP(): Promise<void> {
    await this.#core.call("DELETE", "/v1/me/totp", undefined, this.#query);
  }

  /** Ten new backup codes (the old ones stop working). */
  async createBackupCode(): Promise<{ codes: string[] }> {
    const b = await this.#core.call<{ codes: string[] }>("POST", "/v1/me/backup_codes", undefined, this.#query);
    return { codes: b.codes };
  }

  /** Adds a phone number and texts it a code (`verifyPhoneNumber` checks the code). */
  async createPhoneNumber(params: { phoneNumber: string }): Promise<{ id: string }> {
    const p = await this.#core.call<{ id: string }>(
      "POST",
      "/v1/me/phone_numbers",
      { phoneNumber: params.phoneNumber },
      this.#query,
    );
    await this.#core.call(
      "POST",
      `/v1/me/phone_numbers/${encodeURIComponent(p.id)}/prepare_verification`,
      { strategy: "phone_code" },
      this.#query,
    );
    return { id: p.id };
  }

  async verifyPhoneNumber(params: { id: string; code: string }): Promise<void> {
    await this.#core.call(
      "POST",
      `/v1/me/phone_numbers/${encodeURIComponent(params.id)}/attempt_verification`,
      { code: params.code },
      this.#query,
    );
  }

  async deletePhoneNumber(id: string): Promise<void> {
    await this.#core.call("DELETE", `/v1/me/phone_numbers/${encodeURIComponent(id)}`, undefined, this.#query);
  }

  /**
   * Starts connecting another social account: answers it `unverified`, with
   * `verification.externalVerificationRedirectURL` to open (`tandem.navigate`); the provider
   * returns the browser to `redirectUrl` with the account linked, or failed on the user.
   */
  async createExternalAccount(params: {
    strategy: OAuthStrategy;
    redirectUrl: string;
  }): Promise<ExternalAccountResource> {
    const json = await this.#core.call<ExternalAccountJSON>(
      "POST",
      "/v1/me/external_accounts",
      { strategy: params.strategy, redirect_url: absolute(params.redirectUrl) },
      this.#query,
    );
    return new ExternalAccountResource(this.#core, this.#sessionId, json);
  }

  async deletePasskey(id: string): Promise<void> {
    await this.#core.call("DELETE", `/v1/me/passkeys/${encodeURIComponent(id)}`, undefined, this.#query);
  }

  async reload(): Promise<UserResource> {
    const json = await this.#core.call<UserJSON>("GET", "/v1/me", undefined, this.#query);
    return new UserResource(this.#core, this.#sessionId, json);
  }

  async delete(): Promise<void> {
    await this.#core.call("DELETE", "/v1/me", undefined, this.#query);
    await this.#core.reload();
  }
}
