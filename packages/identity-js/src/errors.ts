/**
 * Two error classes, both `TandemError`s:
 * - `AuthApiError`: the Frontend API refused a request. It carries Clerk's error list in
 *   camelCase (`errors[0].code` is e.g. `form_password_incorrect`), like clerk-js's
 *   `ClerkAPIResponseError`, so code written against Clerk's error handling keeps working.
 * - `AuthClientError`: the SDK itself could not proceed (closed set of codes below).
 */
import { TandemError, type ErrorKind } from "@tandem/shared";

export interface AuthApiErrorItem {
  code: string;
  message: string;
  longMessage: string;
  meta: { paramName?: string; [key: string]: unknown };
}

function kindOf(status: number): ErrorKind {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthenticated";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 413:
      return "PayloadTooLarge";
    case 422:
      return "Unprocessable";
    case 429:
      return "RateLimited";
    case 503:
      return "Unavailable";
    default:
      return status >= 500 ? "Internal" : "BadRequest";
  }
}

export class AuthApiError extends TandemError {
  override name = "AuthApiError";
  /** Lets code that checks `err.clerkError` (as Clerk's docs show) recognise these errors. */
  readonly clerkError = true;
  readonly errors: AuthApiErrorItem[];
  readonly httpStatus: number;
  /** Seconds to wait before retrying (429 and lockouts), when the server said so. */
  readonly retryAfter: number | undefined;

  constructor(httpStatus: number, errors: AuthApiErrorItem[], retryAfter?: number) {
    const first = errors[0];
    super(
      kindOf(httpStatus),
      first?.code ?? "api_error",
      first?.longMessage || first?.message || `Request failed with status ${httpStatus}.`,
    );
    this.httpStatus = httpStatus;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

export type AuthClientErrorCode =
  | "invalid_publishable_key"
  | "network_error"
  | "invalid_response"
  | "not_signed_in"
  | "no_sign_in_attempt"
  | "no_sign_up_attempt"
  | "passkeys_unsupported"
  | "redirect_callback_invalid"
  | "destroyed";

const clientErrorKind: Record<AuthClientErrorCode, ErrorKind> = {
  invalid_publishable_key: "BadRequest",
  network_error: "Unavailable",
  invalid_response: "Internal",
  not_signed_in: "Unauthenticated",
  no_sign_in_attempt: "BadRequest",
  no_sign_up_attempt: "BadRequest",
  passkeys_unsupported: "BadRequest",
  redirect_callback_invalid: "BadRequest",
  destroyed: "BadRequest",
};

export class AuthClientError extends TandemError {
  override name = "AuthClientError";
  override readonly code: AuthClientErrorCode;
  constructor(code: AuthClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(clientErrorKind[code], code, message, options);
    this.code = code;
  }
}

export const isAuthApiError = (e: unknown): e is AuthApiError => e instanceof AuthApiError;
/** Clerk's name for the same check (`@clerk/clerk-react/errors`). */
export const isClerkAPIResponseError = isAuthApiError;
