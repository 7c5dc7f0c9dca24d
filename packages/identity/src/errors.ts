/**
 * Clerk-shaped API errors. The set of codes is closed: each code has one HTTP status and one
 * message that is safe to show (never a secret, code or password). Bodies follow Clerk:
 * `{ errors: [{ code, message, long_message, meta: { param_name } }] }`.
 */
import { TandemError, type ErrorKind } from "@tandem/shared";

const catalogue = {
  form_identifier_not_found: ["Unprocessable", "Couldn't find your account."],
  form_identifier_exists: ["Unprocessable", "That identifier is taken. Please try another."],
  form_password_incorrect: ["Unprocessable", "Password is incorrect. Try again, or use another method."],
  form_password_pwned: [
    "Unprocessable",
    "This password has been found in a data breach or common-password list. Please use a different password.",
  ],
  form_password_length_too_short: ["Unprocessable", "Passwords must be 8 characters or more."],
  form_password_length_too_long: ["Unprocessable", "Passwords must be 256 characters or fewer."],
  form_password_not_printable: ["Unprocessable", "Passwords may contain printable characters only."],
  form_code_incorrect: ["Unprocessable", "Incorrect code."],
  form_param_missing: ["Unprocessable", "A required parameter is missing."],
  form_param_format_invalid: ["Unprocessable", "A parameter has an invalid format."],
  form_param_max_length_exceeded: ["Unprocessable", "A parameter is too long."],
  form_param_unknown: ["Unprocessable", "Unknown parameter."],
  form_param_value_invalid: ["Unprocessable", "A parameter has an invalid value."],
  form_username_invalid_length: ["Unprocessable", "Usernames must be between 4 and 64 characters."],
  form_identifier_invalid: ["Unprocessable", "Enter a valid email address or username."],
  strategy_for_user_invalid: ["Unprocessable", "This verification strategy is not valid for this account."],
  verification_missing: ["Unprocessable", "Request a verification code first."],
  verification_expired: ["Unprocessable", "This verification has expired. Request a new code."],
  verification_failed: ["Unprocessable", "Too many failed attempts. Request a new code."],
  verification_already_verified: ["Unprocessable", "This verification has already been completed."],
  sign_in_not_ready: ["Unprocessable", "This sign-in cannot take that step now."],
  sign_up_not_ready: ["Unprocessable", "This sign-up cannot take that step now."],
  reserved_claim: ["Unprocessable", "Templates may not set the claims azp, exp, iat, iss, jti, nbf or sub."],
  template_name_taken: ["Unprocessable", "A JWT template with this name already exists."],
  already_a_member_in_organization: ["Unprocessable", "This user is already a member of the organization."],
  organization_membership_quota_exceeded: [
    "Forbidden",
    "The organization has reached its maximum number of memberships.",
  ],
  not_a_member_in_organization: ["Forbidden", "The user is not a member of this organization."],
  not_allowed_access: ["Forbidden", "Your role in this organization does not allow this."],
  user_locked: ["Forbidden", "Your account is locked. Try again later."],
  user_banned: ["Forbidden", "This account is banned."],
  origin_invalid: ["Forbidden", "This origin may not call the identity API."],
  authentication_invalid: ["Unauthenticated", "Authentication is invalid or missing."],
  session_not_active: ["Unauthenticated", "This session is no longer active."],
  // Why a client's session gets no token; Clerk's native SDKs sign out locally on these codes.
  session_not_found: ["NotFound", "This session does not exist on this client."],
  session_ended: ["Unauthenticated", "This session has ended."],
  session_removed: ["Unauthenticated", "This session has been removed."],
  session_revoked: ["Unauthenticated", "This session has been revoked."],
  session_expired: ["Unauthenticated", "This session has expired."],
  session_replaced: ["Unauthenticated", "This session has been replaced."],
  resource_not_found: ["NotFound", "The requested resource was not found."],
  request_body_invalid: ["BadRequest", "The request body could not be parsed."],
  unsupported_content_type: ["BadRequest", "Send application/json or application/x-www-form-urlencoded."],
  request_body_too_large: ["PayloadTooLarge", "The request body is too large."],
  too_many_requests: ["RateLimited", "Too many requests. Try again later."],
  email_delivery_unavailable: ["Unavailable", "E-mail delivery is not configured for this instance."],
  email_queue_full: ["Unavailable", "Too many e-mails are waiting to be sent. Try again later."],
  oauth_provider_unavailable: ["Unavailable", "The sign-in provider cannot be reached. Try again later."],
  oauth_token_exchange_failed: ["Unprocessable", "The sign-in provider's answer could not be verified."],
  external_account_exists: ["Unprocessable", "This account already exists. Sign in instead."],
  identification_deletion_failed: ["Unprocessable", "You cannot delete your last identification."],
  sign_in_transfer_invalid: ["Unprocessable", "There is no sign-up to transfer to a sign-in."],
  oauth_state_invalid: ["Unprocessable", "This sign-in link is invalid or was started in another browser."],
  sms_delivery_unavailable: ["Unavailable", "Text message delivery is not available for this instance."],
  internal_error: ["Internal", "Something went wrong on our side."],
} as const satisfies Record<string, readonly [ErrorKind, string]>;

export type ApiErrorCode = keyof typeof catalogue;

export interface ApiErrorJSON {
  code: ApiErrorCode;
  message: string;
  long_message: string;
  meta: Record<string, unknown>;
}

export class ApiError extends TandemError {
  override name = "ApiError";
  override readonly code: ApiErrorCode;
  readonly meta: Record<string, unknown>;
  /** Seconds the client should wait (429, lockout). */
  readonly retryAfter: number | undefined;
  constructor(
    code: ApiErrorCode,
    opts: { param?: string; detail?: string; meta?: Record<string, unknown>; retryAfter?: number } = {},
  ) {
    const [kind, message] = catalogue[code];
    super(kind, code, opts.detail ? `${message} ${opts.detail}` : message);
    this.code = code;
    this.meta = { ...(opts.param ? { param_name: opts.param } : {}), ...opts.meta };
    this.retryAfter = opts.retryAfter;
  }
  toJSON(): ApiErrorJSON {
    const [, short] = catalogue[this.code];
    return { code: this.code, message: short, long_message: this.message, meta: this.meta };
  }
}

export const apiError = (code: ApiErrorCode, param?: string, detail?: string) =>
  new ApiError(code, { ...(param ? { param } : {}), ...(detail ? { detail } : {}) });
