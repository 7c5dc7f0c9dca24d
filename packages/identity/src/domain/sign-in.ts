/**
 * Sign-in state machine (docs/identity-api.md#sign-in-and-sign-up):
 *   needs_identifier → needs_first_factor → complete
 *                                         ↘ needs_new_password (after reset_password_email_code) → complete
 * First factors: password, email_code, reset_password_email_code, email_link (a magic link,
 * `fapi/email-link.ts`), phone_code (an SMS code, `fapi/phone-sign-in.ts`). Each attempt is rate-limited
 * per IP and per identifier (the route's steps) and counts toward the account lockout when it fails.
 */
import { ApiError, type ApiErrorCode } from "../errors.js";
import type { EmailId } from "../ids.js";
import { burnPasswordCheck, verifyPassword } from "../crypto/passwords.js";
import type { UserRecord } from "../store/types.js";
import type { IdentityService } from "./service.js";
import { hasSecondFactor } from "./second-factor.js";
import { normalizeE164 } from "./phones.js";
import { checkUsername, normalizeEmail } from "./validate.js";

export const FIRST_FACTORS = [
  "password",
  "email_code",
  "reset_password_email_code",
  "email_link",
  "phone_code",
] as const;
export type FirstFactor = (typeof FIRST_FACTORS)[number];
/** The first factors that send an e-mail code. */
export type CodeFactor = Exclude<FirstFactor, "password" | "email_link" | "phone_code">;

/** `raw` as a first factor, else `invalid` (which error Clerk gives depends on the step). */
export function parseFirstFactor(raw: string, invalid: ApiErrorCode): FirstFactor {
  const found = FIRST_FACTORS.find((s) => s === raw);
  if (!found) throw new ApiError(invalid, { param: "strategy" });
  return found;
}

/** The user an identifier (e-mail address, verified phone number or username) names, if any. */
export async function findUserByIdentifier(svc: IdentityService, identifier: string): Promise<UserRecord | null> {
  if (identifier.startsWith("+")) {
    const userId = await svc.store.findUserIdByPhone(svc.instanceId, normalizeE164(identifier, "identifier"));
    return userId ? svc.store.getUser(svc.instanceId, userId) : null;
  }
  if (identifier.includes("@"))
    return svc.store.findUserByEmail(svc.instanceId, normalizeEmail(identifier, "identifier"));
  const username = checkUsername(identifier, "identifier");
  return username ? svc.store.findUserByUsername(svc.instanceId, username) : null;
}

/** Unknown identifiers are an error unless enumeration protection hides them (then the attempt just fails). */
export async function refuseUnknownIdentifier(svc: IdentityService, password: string | undefined): Promise<void> {
  if (svc.security.enumerationProtection) return;
  if (password) await burnPasswordCheck(password);
  throw new ApiError("form_identifier_not_found", { param: "identifier" });
}

/**
 * A password first factor against the lockout: the user when it is right, else the matching error
 * (a failure counts toward the lockout). Unknown users cost the same time as known ones.
 */
export async function checkFirstFactorPassword(
  svc: IdentityService,
  user: UserRecord | null,
  password: string,
): Promise<UserRecord> {
  if (!user || !user.passwordHash) {
    await burnPasswordCheck(password);
    if (!user && !svc.security.enumerationProtection)
      throw new ApiError("form_identifier_not_found", { param: "identifier" });
    throw new ApiError(user ? "strategy_for_user_invalid" : "form_password_incorrect", { param: "password" });
  }
  await svc.assertCanSignIn(user);
  if (!(await verifyPassword(user.passwordHash, password))) {
    await svc.recordFailure(user);
    throw new ApiError("form_password_incorrect", { param: "password" });
  }
  // With a second factor still to pass, earlier failures stay counted (a password does not buy fresh tries at the code).
  if (!hasSecondFactor(user)) await svc.recordSuccess(user);
  return user;
}

/** The address a code goes to: the one asked for, else the primary (or first) one. */
export function codeAddress(user: UserRecord, emailId: string | undefined): { id: EmailId; email: string } {
  const email = emailId
    ? user.emails.find((e) => e.id === emailId)
    : (user.emails.find((e) => e.id === user.primaryEmailId) ?? user.emails[0]);
  if (!email) throw new ApiError("form_param_value_invalid", { param: "email_address_id" });
  return email;
}
