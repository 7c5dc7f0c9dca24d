/**
 * Password rules after NIST 800-63B: at least 8 characters, up to 256 (so ≥64 is allowed), any
 * printable character including spaces and Unicode, and not on the bundled breached/common list.
 */
import { ApiError } from "../errors.js";
import { COMMON_PASSWORDS } from "./common-passwords.js";

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 256;

/** Throws the Clerk error for the first rule `password` breaks. */
export function checkPasswordRules(password: string, param = "password"): void {
  const chars = [...password.normalize("NFKC")];
  if (chars.length < MIN_PASSWORD) throw new ApiError("form_password_length_too_short", { param });
  if (chars.length > MAX_PASSWORD) throw new ApiError("form_password_length_too_long", { param });
  if (/[\p{Cc}\p{Cs}]/u.test(password)) throw new ApiError("form_password_not_printable", { param });
  if (COMMON_PASSWORDS.has(password.toLowerCase())) throw new ApiError("form_password_pwned", { param });
}
