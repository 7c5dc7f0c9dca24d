/**
 * The client's sign-up attempt as an explicit state machine:
 *
 *   null ──create({emailAddress, password, …})──▶ missing_requirements
 *        ──prepareEmailAddressVerification()──▶ (code sent; unverifiedFields: [email_address])
 *        ──attemptEmailAddressVerification({code})──▶ complete (createdSessionId, createdUserId)
 *
 * One object per client, updated in place, as `SignIn` is.
 */
import { unreachable } from "@tandem/shared";
import { AuthClientError } from "../errors.js";
import type { FormValue } from "../transport.js";
import type { ResourceCore } from "./core.js";
import { absolute, callbackUrl, type AuthenticateWithRedirectParams } from "./oauth.js";
import type { SignUpJSON } from "./json.js";
import { emailLinkFlow, type EmailLinkFlow } from "./email-link.js";
import { verification, type Verification } from "./verification.js";

export type SignUpStatus = "missing_requirements" | "complete" | "abandoned";
export type SignUpField = "email_address" | "password" | "first_name" | "last_name" | "username" | (string & {});

export interface SignUpFields {
  emailAddress: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  /** E.164, verified by `phone_code` before the sign-up completes. */
  phoneNumber: string | null;
  hasPassword: boolean;
  unsafeMetadata: Record<string, unknown>;
}

export type SignUpState =
  | { status: null }
  | ({
      status: "missing_requirements";
      id: string;
      requiredFields: SignUpField[];
      optionalFields: SignUpField[];
      missingFields: SignUpField[];
      unverifiedFields: SignUpField[];
      emailAddressVerification: Verification | null;
      phoneNumberVerification: Verification | null;
    } & SignUpFields)
  | ({ status: "complete"; id: string; createdSessionId: string; createdUserId: string } & SignUpFields)
  | { status: "abandoned"; id: string };

export interface SignUpCreateParams {
  emailAddress?: string;
  password?: string;
  firstName?: string;
  lastName?: string;
  username?: string;
  /** E.164 (`+15555550100`); spaces, dots, dashes and brackets are dropped by the server. */
  phoneNumber?: string;
  unsafeMetadata?: Record<string, unknown>;
}

function fields(json: SignUpJSON): SignUpFields {
  return {
    emailAddress: json.email_address,
    firstName: json.first_name,
    lastName: json.last_name,
    username: json.username,
    phoneNumber: json.phone_number ?? null,
    hasPassword: Boolean(json.password_enabled),
    unsafeMetadata: json.unsafe_metadata ?? {},
  };
}

export function signUpState(json: SignUpJSON | null | undefined): SignUpState {
  if (!json) return { status: null };
  const status = json.status as SignUpStatus;
  switch (status) {
    case "missing_requirements":
      return {
        status,
        id: json.id,
        requiredFields: json.required_fields ?? [],
        optionalFields: json.optional_fields ?? [],
        missingFields: json.missing_fields ?? [],
        unverifiedFields: json.unverified_fields ?? [],
        emailAddressVerification: verification(json.verifications?.email_address),
        phoneNumberVerification: verification(json.verifications?.phone_number),
        ...fields(json),
      };
    case "complete":
      return {
        status,
        id: json.id,
        createdSessionId: json.created_session_id ?? "",
        createdUserId: json.created_user_id ?? "",
        ...fields(json),
      };
    case "abandoned":
      return { status, id: json.id };
    default:
      return unreachable(status, "unknown sign-up status");
  }
}

const NO_FIELDS: SignUpFields = {
  emailAddress: null,
  firstName: null,
  lastName: null,
  username: null,
  phoneNumber: null,
  hasPassword: false,
  unsafeMetadata: {},
};

export class SignUp {
  #external: { status: string; strategy: string; errorCode: string | null } | null = null;
  #state: SignUpState = { status: null };
  readonly #core: ResourceCore;
  readonly #changed: () => void;

  constructor(core: ResourceCore, changed: () => void) {
    this.#core = core;
    this.#changed = changed;
  }

  get state(): SignUpState {
    return this.#state;
  }
  get status(): SignUpStatus | null {
    return this.#state.status;
  }
  get id(): string | null {
    return this.#state.status === null ? null : this.#state.id;
  }
  get #fields(): SignUpFields {
    const s = this.#state;
    return s.status === "missing_requirements" || s.status === "complete" ? s : NO_FIELDS;
  }
  get emailAddress(): string | null {
    return this.#fields.emailAddress;
  }
  get firstName(): string | null {
    return this.#fields.firstName;
  }
  get lastName(): string | null {
    return this.#fields.lastName;
  }
  get username(): string | null {
    return this.#fields.username;
  }
  get phoneNumber(): string | null {
    return this.#fields.phoneNumber;
  }
  get hasPassword(): boolean {
    return this.#fields.hasPassword;
  }
  get unsafeMetadata(): Record<string, unknown> {
    return this.#fields.unsafeMetadata;
  }
  get missingFields(): SignUpField[] {
    return this.#state.status === "missing_requirements" ? this.#state.missingFields : [];
  }
  get unverifiedFields(): SignUpField[] {
    return this.#state.status === "missing_requirements" ? this.#state.unverifiedFields : [];
  }
  get requiredFields(): SignUpField[] {
    return this.#state.status === "missing_requirements" ? this.#state.requiredFields : [];
  }
  get optionalFields(): SignUpField[] {
    return this.#state.status === "missing_requirements" ? this.#state.optionalFields : [];
  }
  get verifications(): { emailAddress: Verification | null; phoneNumber: Verification | null } {
    const s = this.#state;
    return s.status === "missing_requirements"
      ? { emailAddress: s.emailAddressVerification, phoneNumber: s.phoneNumberVerification }
      : { emailAddress: null, phoneNumber: null };
  }
  get createdSessionId(): string | null {
    return this.#state.status === "complete" ? this.#state.createdSessionId : null;
  }
  get createdUserId(): string | null {
    return this.#state.status === "complete" ? this.#state.createdUserId : null;
  }

  /** The social sign-up's provider step: `transferable` means the account exists (sign in instead). */
  get externalAccount(): { status: string; strategy: string; errorCode: string | null } | null {
    return this.#external;
  }

  /** @internal */
  _apply(json: SignUpJSON | null | undefined): void {
    const next = signUpState(json);
    const ext = json?.verifications?.external_account;
    const external = ext ? { status: ext.status, strategy: ext.strategy, errorCode: ext.error?.code ?? null } : null;
    const prev = this.#state;
    const prevExternal = this.#external;
    this.#state = next;
    this.#external = external;
    if (JSON.stringify([prev, prevExternal]) !== JSON.stringify([next, external])) this.#changed();
  }

  /** Social sign-up: sends the browser to the provider; `tandem.handleRedirectCallback()` finishes. */
  async authenticateWithRedirect(params: AuthenticateWithRedirectParams): Promise<void> {
    const json = await this.#core.call<SignUpJSON>("POST", "/v1/client/sign_ups", {
      strategy: params.strategy,
      redirectUrl: callbackUrl(params),
      actionCompleteRedirectUrl: absolute(params.redirectUrlComplete),
      unsafeMetadata: params.unsafeMetadata,
    });
    this._apply(json);
    const to = json.verifications.external_account?.external_verification_redirect_url;
    if (!to) throw new AuthClientError("invalid_response", "The server gave no provider URL.");
    await this.#core.navigate(to);
  }

  async #send(method: "POST" | "PATCH", path: string, body: Record<string, FormValue>): Promise<SignUp> {
    const json = await this.#core.call<SignUpJSON>(method, path, body);
    this._apply(json);
    return this;
  }

  #path(action?: string): string {
    const id = this.id;
    if (!id) throw new AuthClientError("no_sign_up_attempt", "Call signUp.create() first.");
    return `/v1/client/sign_ups/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;
  }

  create(params: SignUpCreateParams): Promise<SignUp> {
    return this.#send("POST", "/v1/client/sign_ups", { ...params });
  }

  update(params: SignUpCreateParams): Promise<SignUp> {
    return this.#send("PATCH", this.#path(), { ...params });
  }

  prepareVerification(params: { strategy: "email_code" | "phone_code" }): Promise<SignUp> {
    return this.#send("POST", this.#path("prepare_verification"), { strategy: params.strategy });
  }

  attemptVerification(params: { strategy: "email_code" | "phone_code"; code: string }): Promise<SignUp> {
    return this.#send("POST", this.#path("attempt_verification"), { strategy: params.strategy, code: params.code });
  }

  prepareEmailAddressVerification(params: { strategy?: "email_code" } = {}): Promise<SignUp> {
    return this.prepareVerification({ strategy: params.strategy ?? "email_code" });
  }

  attemptEmailAddressVerification(params: { code: string }): Promise<SignUp> {
    return this.attemptVerification({ strategy: "email_code", code: params.code });
  }

  /** Texts a code to the sign-up's phone number. */
  preparePhoneNumberVerification(params: { strategy?: "phone_code" } = {}): Promise<SignUp> {
    return this.prepareVerification({ strategy: params.strategy ?? "phone_code" });
  }

  attemptPhoneNumberVerification(params: { code: string }): Promise<SignUp> {
    return this.attemptVerification({ strategy: "phone_code", code: params.code });
  }

  /**
   * Verifies the address by magic link: `startEmailLinkFlow({redirectUrl})` sends it and resolves
   * once it was opened (the address `verified`, and the sign-up `complete` when nothing else is
   * missing) or ran out (`expired`).
   */
  createEmailLinkFlow(): EmailLinkFlow<SignUp> {
    return emailLinkFlow(
      (p) =>
        this.#send("POST", this.#path("prepare_verification"), {
          strategy: "email_link",
          redirectUrl: absolute(p.redirectUrl),
        }),
      () => this.reload(),
      () => {
        const v = this.verifications.emailAddress?.status;
        return this.status !== "missing_requirements" || v === "verified" || v === "expired" || v === "failed";
      },
      () => this,
    );
  }

  async reload(): Promise<SignUp> {
    const json = await this.#core.call<SignUpJSON>("GET", this.#path());
    this._apply(json);
    return this;
  }
}
