/**
 * Which user a provider account is: the one already linked to it, else the one whose address
 * matches — only when the provider says it is verified and ours is verified too (an unverified
 * address never takes over an account). Linking stores the provider profile as an external account.
 */
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import type { OAuthProfile } from "../oauth/flow.js";
import type { UserRecord } from "../store/types.js";
import type { IdentityService } from "../domain/service.js";

/** The existing user of this provider account, or null when it is new to us. */
export async function existingAccount(
  svc: IdentityService,
  provider: string,
  profile: OAuthProfile,
): Promise<UserRecord | null> {
  const linked = await svc.store.findExternalAccount(svc.instanceId, provider, profile.subject);
  const user = linked ? await svc.store.getUser(svc.instanceId, linked.userId) : null;
  if (user || !profile.email) return user;
  const byEmail = await svc.store.findUserByEmail(svc.instanceId, profile.email);
  if (!byEmail) return null;
  const own = byEmail.emails.find((e) => e.email === profile.email);
  // Only a verified address on both sides proves the same person.
  if (!profile.emailVerified || !own?.verified)
    throw new ApiError("form_identifier_exists", { param: "email_address" });
  return byEmail;
}

/** Links (or refreshes) the provider account on `user`; returns the user as stored now. */
export async function linkAccount(
  svc: IdentityService,
  user: UserRecord,
  provider: string,
  profile: OAuthProfile,
): Promise<UserRecord> {
  const linked = await svc.store.findExternalAccount(svc.instanceId, provider, profile.subject);
  const now = svc.now();
  await svc.store.saveExternalAccount({
    id: linked?.id ?? newId.externalAccount(),
    instanceId: svc.instanceId,
    userId: user.id,
    provider,
    subject: profile.subject,
    email: profile.email,
    firstName: profile.firstName,
    lastName: profile.lastName,
    imageUrl: profile.imageUrl,
    scopes: profile.scopes,
    createdAt: linked?.createdAt ?? now,
    updatedAt: now,
  });
  return (await svc.store.getUser(svc.instanceId, user.id))!;
}
