/**
 * A social account on the user (Clerk's `ExternalAccountResource`): linked (`verification.status`
 * `verified`), still at the provider after `user.createExternalAccount` (`unverified`, with the URL
 * to open), or refused there (`failed`, with the error, e.g. `external_account_exists`).
 */
import type { ResourceCore } from "./core.js";
import type { ExternalAccountJSON } from "./json.js";

export interface ExternalAccountVerification {
  status: string;
  strategy: string;
  /** The provider page to open while `unverified`. */
  externalVerificationRedirectURL: URL | null;
  error: { code: string; message: string } | null;
}

export class ExternalAccountResource {
  readonly id: string;
  /** The strategy, `oauth_<provider>` (as `socialProviders[].strategy`). */
  readonly provider: string;
  readonly providerUserId: string;
  readonly emailAddress: string;
  readonly verification: ExternalAccountVerification | null;
  readonly #core: ResourceCore;
  readonly #sessionId: string;

  constructor(core: ResourceCore, sessionId: string, json: ExternalAccountJSON) {
    this.#core = core;
    this.#sessionId = sessionId;
    this.id = json.id;
    this.provider = json.provider;
    this.providerUserId = json.provider_user_id;
    this.emailAddress = json.email_address;
    const v = json.verification;
    this.verification = v
      ? {
          status: v.status,
          strategy: v.strategy,
          externalVerificationRedirectURL: v.external_verification_redirect_url
            ? new URL(v.external_verification_redirect_url)
            : null,
          error: v.error ? { code: v.error.code, message: v.error.long_message ?? v.error.message } : null,
        }
      : null;
  }

  /** Unlinks the account (or drops an unfinished connection); the server keeps the last way in. */
  async destroy(): Promise<void> {
    await this.#core.call("DELETE", `/v1/me/external_accounts/${encodeURIComponent(this.id)}`, undefined, {
      _clerk_session_id: this.#sessionId,
    });
  }
}
