/**
 * Sign-up state machine: `missing_requirements` until an e-mail address and a password are given
 * and the address is verified by an e-mail code (or link) — and a phone number, when one is given,
 * by an SMS code — then `complete` (user and session created).
 * Every field is validated before the attempt is stored; the password is hashed at once and never
 * kept in clear.
 */
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import type { PhoneRecord, SignUpRecord, UserRecord } from "../store/types.js";
import type { IdentityService } from "./service.js";
import { createUser } from "./users.js";
import { acceptInvitations } from "./organizations.js";

/** Nothing missing or unverified: the sign-up can create its user. */
export function readyToComplete(su: SignUpRecord): boolean {
  return (
    su.status === "missing_requirements" &&
    !!su.email &&
    !!su.passwordHash &&
    su.emailVerified &&
    (!su.phone || su.phoneVerified === true)
  );
}

/**
 * The user a ready sign-up creates (its verified address, its password digest); organization
 * invitations to that address are accepted.
 */
export async function createUserFromSignUp(svc: IdentityService, su: SignUpRecord): Promise<UserRecord> {
  if (su.phone && (await svc.store.findUserIdByPhone(svc.instanceId, su.phone)))
    throw new ApiError("form_identifier_exists", { param: "phone_number" });
  const user = await createUser(svc, {
    emailAddresses: su.email ? [su.email] : [],
    emailVerified: true,
    passwordHash: su.passwordHash,
    firstName: su.firstName,
    lastName: su.lastName,
    username: su.username,
    unsafeMetadata: su.unsafeMetadata,
  });
  await acceptInvitations(svc, user);
  if (!su.phone) return user;
  const now = svc.now();
  const phone: PhoneRecord = {
    id: newId.phone(),
    instanceId: svc.instanceId,
    userId: user.id,
    phone: su.phone,
    verified: true,
    reservedForSecondFactor: false,
    defaultSecondFactor: false,
    code: null,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await svc.store.savePhone(phone))) throw new ApiError("form_identifier_exists", { param: "phone_number" });
  return { ...user, phones: [phone] };
}

/** The changes an updated e-mail address implies: a new address must be verified again. */
export function withFields(su: SignUpRecord, fields: Partial<SignUpRecord>): SignUpRecord {
  const emailChanged = fields.email !== undefined && fields.email !== su.email;
  const phoneChanged = fields.phone !== undefined && fields.phone !== su.phone;
  return {
    ...su,
    ...fields,
    ...(emailChanged ? { emailVerified: false, code: null, verificationStatus: null, emailLink: null } : {}),
    ...(phoneChanged ? { phoneVerified: false, phoneCode: null } : {}),
  };
}
