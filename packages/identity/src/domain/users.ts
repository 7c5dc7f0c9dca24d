/** Creating and changing users, with every field validated before anything is stored. */
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import { checkPasswordRules } from "../crypto/password-rules.js";
import { hashPassword } from "../crypto/passwords.js";
import { UniqueViolation, type Metadata, type UserRecord } from "../store/types.js";
import type { IdentityService } from "./service.js";
import { userEvent } from "../webhooks/events.js";
import { checkExternalId, checkImageUrl, checkMetadata, checkName, checkUsername, normalizeEmail } from "./validate.js";

export interface NewUser {
  emailAddresses?: string[];
  emailVerified?: boolean;
  password?: string | null;
  /** An existing argon2/PHC digest (imports); used as is. */
  passwordHash?: string | null;
  skipPasswordChecks?: boolean;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  externalId?: string | null;
  imageUrl?: string | null;
  publicMetadata?: unknown;
  privateMetadata?: unknown;
  unsafeMetadata?: unknown;
}

export type UserPatch = Omit<NewUser, "emailAddresses" | "emailVerified" | "passwordHash"> & {
  primaryEmailAddressId?: string;
};

/** Maps a store uniqueness failure onto Clerk's `form_identifier_exists` for the right field. */
export function uniqueToApi(e: unknown): unknown {
  if (!(e instanceof UniqueViolation)) return e;
  const param = (
    {
      email: "email_address",
      username: "username",
      external_id: "external_id",
      template_name: "name",
      slug: "slug",
      role_key: "key",
    } as const
  )[e.field];
  return new ApiError(e.field === "template_name" ? "template_name_taken" : "form_identifier_exists", { param });
}

async function passwordFields(p: string | null | undefined, skipChecks: boolean, now: number) {
  if (p === undefined) return {};
  if (p === null) return { passwordHash: null, passwordUpdatedAt: null };
  if (!skipChecks) checkPasswordRules(p);
  else if (p.length === 0 || p.length > 1024) throw new ApiError("form_param_value_invalid", { param: "password" });
  return { passwordHash: await hashPassword(p), passwordUpdatedAt: now };
}

export async function createUser(svc: IdentityService, input: NewUser): Promise<UserRecord> {
  const now = svc.now();
  const emails = (input.emailAddresses ?? []).map((e, i) => ({
    id: newId.email(),
    email: normalizeEmail(e, "email_address"),
    verified: input.emailVerified ?? true,
    createdAt: now + i,
  }));
  if (new Set(emails.map((e) => e.email)).size !== emails.length)
    throw new ApiError("form_identifier_exists", { param: "email_address" });
  const username = checkUsername(input.username ?? null);
  if (!emails.length && !username)
    throw new ApiError("form_param_missing", {
      param: "email_address",
      detail: "A user needs an e-mail address or a username.",
    });
  const user: UserRecord = {
    id: newId.user(),
    instanceId: svc.instanceId,
    externalId: checkExternalId(input.externalId ?? null),
    firstName: checkName(input.firstName ?? null, "first_name"),
    lastName: checkName(input.lastName ?? null, "last_name"),
    username,
    imageUrl: checkImageUrl(input.imageUrl ?? null),
    passwordHash: null,
    passwordUpdatedAt: null,
    primaryEmailId: emails[0]?.id ?? null,
    emails,
    publicMetadata: checkMetadata(input.publicMetadata, "public_metadata"),
    privateMetadata: checkMetadata(input.privateMetadata, "private_metadata"),
    unsafeMetadata: checkMetadata(input.unsafeMetadata, "unsafe_metadata"),
    banned: false,
    lockedUntil: null,
    failedAttempts: 0,
    lastSignInAt: null,
    lastActiveAt: null,
    createdAt: now,
    updatedAt: now,
  };
  if (input.passwordHash) Object.assign(user, { passwordHash: input.passwordHash, passwordUpdatedAt: now });
  else Object.assign(user, await passwordFields(input.password, input.skipPasswordChecks ?? false, now));
  try {
    await svc.store.saveUser(user, [userEvent(svc, "user.created", user)]);
  } catch (e) {
    throw uniqueToApi(e);
  }
  return user;
}

export async function updateUser(svc: IdentityService, user: UserRecord, patch: UserPatch): Promise<UserRecord> {
  const now = svc.now();
  const next: UserRecord = { ...user, updatedAt: now };
  if (patch.firstName !== undefined) next.firstName = checkName(patch.firstName, "first_name");
  if (patch.lastName !== undefined) next.lastName = checkName(patch.lastName, "last_name");
  if (patch.username !== undefined) next.username = checkUsername(patch.username);
  if (patch.externalId !== undefined) next.externalId = checkExternalId(patch.externalId);
  if (patch.imageUrl !== undefined) next.imageUrl = checkImageUrl(patch.imageUrl);
  if (patch.publicMetadata !== undefined) next.publicMetadata = checkMetadata(patch.publicMetadata, "public_metadata");
  if (patch.privateMetadata !== undefined)
    next.privateMetadata = checkMetadata(patch.privateMetadata, "private_metadata");
  if (patch.unsafeMetadata !== undefined) next.unsafeMetadata = checkMetadata(patch.unsafeMetadata, "unsafe_metadata");
  if (patch.primaryEmailAddressId !== undefined) {
    const e = user.emails.find((x) => x.id === patch.primaryEmailAddressId);
    if (!e) throw new ApiError("form_param_value_invalid", { param: "primary_email_address_id" });
    next.primaryEmailId = e.id;
  }
  Object.assign(next, await passwordFields(patch.password, patch.skipPasswordChecks ?? false, now));
  try {
    await svc.store.saveUser(next, [userEvent(svc, "user.updated", next)]);
  } catch (e) {
    throw uniqueToApi(e);
  }
  return next;
}

export function checkedMetadataPatch(raw: unknown, param: string): Metadata | undefined {
  return raw === undefined ? undefined : checkMetadata(raw, param);
}
