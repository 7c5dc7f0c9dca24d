/**
 * The client's sign-in attempt as an explicit state machine (docs/identity-api.md#sign-in-and-sign-up):
 *
 *   null ──create({identifier})──▶ needs_first_factor ──attemptFirstFactor(password | email_code)──▶ complete
 *     │                                  │
 *     │                                  └─ prepare/attempt reset_password_email_code ─▶ needs_new_password ─resetPassword─▶ complete
 *     └──create({identifier, password})──────────────────────────────────────────────────────────────────▶ complete
 *
 * A user with a second factor (TOTP, backup codes, a phone number reserved for it) passes
 * `needs_second_factor` first: `attemptSecondFactor({strategy, code})` (`phone_code` after
 * `prepareSecondFactor`) completes it.
 *
 * Like clerk-js, one `SignIn` object lives as long as the client and every method acts on the
 * current attempt and updates it in place (so `signIn.create(...)` followed by
 * `signIn.attemptFirstFactor(...)` works on the same object); `state` is the union to switch on.
 */
import { unreachable } from "@tandem/shared";
import { AuthClientError } from "../errors.js";
import type { ResourceCore } from "./core.js";
import type { ExternalVerificationJSON, FirstFactorJSON, SignInJSON } from "./json.js";
import { absolute, callbackUrl, type AuthenticateWithRedirectParams } from "./oauth.js";
import { getCredential } from "./webauthn.js";
import { emailLinkFlow, type EmailLinkFlow } from "./email-link.js";
import { verification, type Verification } from "./verification.js";

export type SignInStatus =
  "needs_identifier" | "needs_first_factor" | "needs_second_factor" | "needs_new_password" | "complete";
export type CodeStrategy = "email_code" | "reset_password_email_code" | "phone_code";
export type SignInStrategy = "password" | CodeStrategy;

export type SignInFactor =
  | { strategy: "password" }
  | {
      strategy: CodeStrategy;
      /** The address (`email_code`, `reset_password_email_code`) or number (`phone_code`) the code goes to. */
      emailAddressId: string;
      phoneNumberId?: string;
      safeIdentifier: string;
      primary: boolean;
    }
  | {
      /** A magic link to the address (`createEmailLinkFlow`). */
      strategy: "email_link";
      emailAddressId: string;
      safeIdentifier: string;
      primary: boolean;
    };

export type SecondFactor =
  | { strategy: "totp" }
  | { strategy: "backup_code" }
  | { strategy: "phone_code"; phoneNumberId: string; safeIdentifier: string };
export type SecondFactorStrategy = SecondFactor["strategy"];

export interface SignInUserData {
  firstName: string | null;
  lastName: string | null;
  imageUrl: string;
  hasImage: boolean;
}

export type SignInState =
  | { status: null }
  | { status: "needs_identifier"; id: string }
  | {
      status: "needs_first_factor";
      id: string;
      identifier: string;
      supportedFirstFactors: SignInFactor[];
      firstFactorVerification: Verification | null;
      userData: SignInUserData | null;
    }
  | { status: "needs_second_factor"; id: string; identifier: string; supportedSecondFactors: SecondFactor[] }
  | { status: "needs_new_password"; id: string; identifier: string; firstFactorVerification: Verification | null }
  | { status: "complete"; id: string; identifier: string | null; createdSessionId: string };

export interface SignInCreateParams {
  identifier: string;
  password?: string;
  /** `email_code`/`reset_password_email_code` also send the code (as Clerk's create does). */
  strategy?: SignInStrategy;
}

export type PrepareFirstFactorParams = { strategy: CodeStrategy; emailAddressId?: string; phoneNumberId?: string };
export type AttemptFirstFactorParams =
  { strategy: "password"; password: string } | { strategy: CodeStrategy; code: string };
export interface ResetPasswordParams {
  password: string;
  signOutOfOtherSessions?: boolean;
}

function factor(json: FirstFactorJSON): SignInFactor | null {
  switch (json.strategy) {
    case "password":
      return { strategy: "password" };
    case "email_code":
    case "reset_password_email_code":
    case "email_link":
      return {
        strategy: json.strategy,
        emailAddressId: json.email_address_id ?? "",
        safeIdentifier: json.safe_identifier ?? "",
        primary: json.primary ?? false,
      };
    case "phone_code":
      return {
        strategy: "phone_code",
        emailAddressId: "",
        phoneNumberId: json.phone_number_id ?? "",
        safeIdentifier: json.safe_identifier ?? "",
        primary: json.primary ?? false,
      };
    default:
      return null; // a strategy this SDK cannot drive is not offered
  }
}

function secondFactor(json: FirstFactorJSON): SecondFactor | null {
  switch (json.strategy) {
    case "totp":
    case "backup_code":
      return { strategy: json.strategy };
    case "phone_code":
      return {
        strategy: "phone_code",
        phoneNumberId: json.phone_number_id ?? "",
        safeIdentifier: json.safe_identifier ?? "",
      };
    default:
      return null;
  }
}

export function signInState(json: SignInJSON | null | undefined): SignInState {
  if (!json) return { status: null };
  const status = json.status as SignInStatus;
  const identifier = json.identifier ?? "";
  switch (status) {
    case "needs_identifier":
      return { status, id: json.id };
    case "needs_first_factor":
      return {
        status,
        id: json.id,
        identifier,
        supportedFirstFactors: (json.supported_first_factors ?? []).map(factor).filter((f) => f !== null),
        firstFactorVerification: verification(json.first_factor_verification),
        userData: json.user_data
          ? {
              firstName: json.user_data.first_name,
              lastName: json.user_data.last_name,
              imageUrl: json.user_data.image_url,
              hasImage: json.user_data.has_image,
            }
          : null,
      };
    case "needs_second_factor":
      return {
        status,
        id: json.id,
        identifier,
        supportedSecondFactors: (json.supported_second_factors ?? []).map(secondFactor).filter((f) => f !== null),
      };
    case "needs_new_password":
      return { status, id: json.id, identifier, firstFactorVerification: verification(json.first_factor_verification) };
    case "complete":
      return { status, id: json.id, identifier: json.identifier, createdSessionId: json.created_session_id ?? "" };
    default:
      return unreachable(status, "unknown sign-in status");
  }
}

export class SignIn {
  #state: SignInState = { status: null };
  readonly #core: ResourceCore;
  readonly #changed: () => void;

  constructor(core: ResourceCore, changed: () => void) {
    this.#core = core;
    this.#changed = changed;
  }

  get state(): SignInState {
    return this.#state;
  }
  get status(): SignInStatus | null {
    return this.#state.status;
  }
  get id(): string | null {
    return this.#state.status === null ? null : this.#state.id;
  }
  get identifier(): string | null {
    const s = this.#state;
    return s.status === null || s.status === "needs_identifier" ? null : s.identifier;
  }
  get supportedFirstFactors(): SignInFactor[] {
    return this.#state.status === "needs_first_factor" ? this.#state.supportedFirstFactors : [];
  }
  get supportedSecondFactors(): SecondFactor[] {
    return this.#state.status === "needs_second_factor" ? this.#state.supportedSecondFactors : [];
  }
  get firstFactorVerification(): Verification | null {
    const s = this.#state;
    return s.status === "needs_first_factor" || s.status === "needs_new_password" ? s.firstFactorVerification : null;
  }
  get createdSessionId(): string | null {
    return this.#state.status === "complete" ? this.#state.createdSessionId : null;
  }
  get userData(): SignInUserData | null {
    return this.#state.status === "needs_first_factor" ? this.#state.userData : null;
  }

  /** @internal Applies the sign-in the server reported (from a response or the piggy-backed client). */
  _apply(json: SignInJSON | null | undefined): void {
    const next = signInState(json);
    const prev = this.#state;
    this.#state = next;
    if (JSON.stringify(prev) !== JSON.stringify(next)) this.#changed();
  }

  async #post(path: string, fields: Record<string, string | boolean | undefined>): Promise<SignIn> {
    const json = await this.#core.call<SignInJSON>("POST", path, fields);
    this._apply(json);
    return this;
  }

  #path(action: string): string {
    const id = this.id;
    if (!id) throw new AuthClientError("no_sign_in_attempt", "Call signIn.create() first.");
    return `/v1/client/sign_ins/${encodeURIComponent(id)}/${action}`;
  }

  async create(params: SignInCreateParams): Promise<SignIn> {
    const strategy = params.strategy ?? (params.password !== undefined ? "password" : undefined);
    await this.#post("/v1/client/sign_ins", { identifier: params.identifier, password: params.password, strategy });
    if (
      (strategy === "email_code" || strategy === "reset_password_email_code" || strategy === "phone_code") &&
      this.status === "needs_first_factor"
    )
      await this.prepareFirstFactor({ strategy });
    return this;
  }

  prepareFirstFactor(params: PrepareFirstFactorParams): Promise<SignIn> {
    const offered = this.supportedFirstFactors.find(
      (f): f is Extract<SignInFactor, { strategy: CodeStrategy }> => f.strategy === params.strategy,
    );
    if (params.strategy === "phone_code")
      return this.#post(this.#path("prepare_first_factor"), {
        strategy: "phone_code",
        phoneNumberId: params.phoneNumberId ?? offered?.phoneNumberId,
      });
    const emailAddressId = params.emailAddressId ?? offered?.emailAddressId;
    return this.#post(this.#path("prepare_first_factor"), { strategy: params.strategy, emailAddressId });
  }

  attemptFirstFactor(params: AttemptFirstFactorParams): Promise<SignIn> {
    const path = this.#path("attempt_first_factor");
    switch (params.strategy) {
      case "password":
        return this.#post(path, { strategy: "password", password: params.password });
      case "email_code":
      case "reset_password_email_code":
      case "phone_code":
        return this.#post(path, { strategy: params.strategy, code: params.code });
      default:
        return unreachable(params, "unknown first-factor strategy");
    }
  }

  /** Texts the code of a `phone_code` second factor (TOTP and backup codes need no preparation). */
  prepareSecondFactor(params: { strategy: "phone_code"; phoneNumberId?: string }): Promise<SignIn> {
    const phone = this.supportedSecondFactors.find(
      (f): f is Extract<SecondFactor, { strategy: "phone_code" }> => f.strategy === "phone_code",
    );
    return this.#post(this.#path("prepare_second_factor"), {
      strategy: "phone_code",
      phoneNumberId: params.phoneNumberId ?? phone?.phoneNumberId,
    });
  }

  attemptSecondFactor(params: { strategy: SecondFactorStrategy; code: string }): Promise<SignIn> {
    return this.#post(this.#path("attempt_second_factor"), { strategy: params.strategy, code: params.code });
  }

  resetPassword(params: ResetPasswordParams): Promise<SignIn> {
    return this.#post(this.#path("reset_password"), {
      password: params.password,
      signOutOfOtherSessions: params.signOutOfOtherSessions,
    });
  }

  /**
   * Social sign-in: sends the browser to the provider; it comes back to `redirectUrl`, where
   * `tandem.handleRedirectCallback()` (or `<AuthenticateWithRedirectCallback/>`) finishes.
   */
  async authenticateWithRedirect(params: AuthenticateWithRedirectParams): Promise<void> {
    const json = await this.#core.call<SignInJSON>("POST", "/v1/client/sign_ins", {
      strategy: params.strategy,
      redirectUrl: callbackUrl(params),
      actionCompleteRedirectUrl: absolute(params.redirectUrlComplete),
    });
    this._apply(json);
    const to = (json.first_factor_verification as ExternalVerificationJSON | null)?.external_verification_redirect_url;
    if (!to) throw new AuthClientError("invalid_response", "The server gave no provider URL.");
    await this.#core.navigate(to);
  }

  /** Signs in with a passkey (discoverable credential: no identifier needed). */
  async authenticateWithPasskey(): Promise<SignIn> {
    const json = await this.#core.call<SignInJSON>("POST", "/v1/client/sign_ins", { strategy: "passkey" });
    this._apply(json);
    const options = (json.first_factor_verification as ExternalVerificationJSON | null)?.nonce;
    if (!options) throw new AuthClientError("invalid_response", "The server gave no passkey challenge.");
    const credential = await getCredential(options);
    return this.#post(this.#path("attempt_first_factor"), { strategy: "passkey", publicKeyCredential: credential });
  }

  /**
   * Sign-in by magic link (after `create({identifier})`): `startEmailLinkFlow({redirectUrl})` sends
   * the link to the address and resolves once it was opened — `complete` (or `needs_second_factor`)
   * when it worked, the first factor's verification `expired` when it ran out. The link comes back
   * to `redirectUrl` with `__clerk_status` (and `__clerk_created_session` in the same browser).
   */
  createEmailLinkFlow(): EmailLinkFlow<SignIn> {
    return emailLinkFlow(
      (p) => {
        const offered = this.supportedFirstFactors.find((f) => f.strategy === "email_link");
        return this.#post(this.#path("prepare_first_factor"), {
          strategy: "email_link",
          emailAddressId:
            p.emailAddressId ?? (offered && "emailAddressId" in offered ? offered.emailAddressId : undefined),
          redirectUrl: absolute(p.redirectUrl),
        });
      },
      () => this.reload(),
      () => {
        const v = this.firstFactorVerification?.status;
        return this.status !== "needs_first_factor" || v === "expired" || v === "failed" || v === "verified";
      },
      () => this,
    );
  }

  /** `transfer: true`: signs in the existing user a social sign-up found (`handleRedirectCallback`). */
  transfer(): Promise<SignIn> {
    return this.#post("/v1/client/sign_ins", { transfer: true });
  }

  async reload(): Promise<SignIn> {
    const json = await this.#core.call<SignInJSON>("GET", `/v1/client/sign_ins/${encodeURIComponent(this.id ?? "")}`);
    this._apply(json);
    return this;
  }
}
