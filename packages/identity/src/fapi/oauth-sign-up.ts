/**
 * `signUp.authenticateWithRedirect` (`oauth_<provider>` on `POST /v1/client/sign_ups`), as Clerk's:
 * the sign-up's `verifications.external_account` carries the provider URL; at the callback
 * (`oauth.ts`) a provider account new to us becomes a user and the sign-up completes, while one
 * that is already a user's leaves the external account `transferable` with
 * `external_account_exists` — clerk-js's `handleRedirectCallback` then creates a sign-in with
 * `transfer: true`, which signs that user in (`transferSignIn`).
 */
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import { createUser } from "../domain/users.js";
import { acceptInvitations } from "../domain/organizations.js";
import type { OAuthProfile } from "../oauth/flow.js";
import type { PendingOAuth, SignInRecord, SignUpRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { existingAccount, linkAccount } from "./oauth-accounts.js";
import { signInAs, startOAuth } from "./oauth-steps.js";

/** `POST /v1/client/sign_ups {strategy: "oauth_<provider>", redirect_url, …}`. */
export async function startOAuthSignUp(
  env: FapiEnv,
  strategy: string,
  fields: Partial<SignUpRecord>,
): Promise<FapiOutcome> {
  const id = newId.signUp();
  const { pending, clientId } = await startOAuth(env, strategy, id);
  const now = env.svc.now();
  const su: SignUpRecord = {
    id,
    instanceId: env.svc.instanceId,
    clientId,
    status: "missing_requirements",
    email: null,
    emailVerified: false,
    passwordHash: null,
    firstName: null,
    lastName: null,
    username: null,
    unsafeMetadata: {},
    code: null,
    verificationStatus: null,
    createdUserId: null,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
    // Names and metadata given now are kept; the address comes from the provider.
    ...fields,
    oauth: pending,
  };
  await env.svc.store.saveSignUp(su);
  await env.ctx.save({ ...env.ctx.client!, signUpId: su.id });
  return { kind: "sign_up", record: su };
}

/** The provider vouched for `profile`: a new user (sign-up complete), or a transferable existing one. */
export async function finishOAuthSignUp(
  env: FapiEnv,
  su: SignUpRecord,
  pending: PendingOAuth,
  profile: OAuthProfile,
): Promise<void> {
  const svc = env.svc;
  const found = await existingAccount(svc, pending.provider, profile);
  const now = svc.now();
  if (found) {
    await linkAccount(svc, found, pending.provider, profile);
    await svc.store.saveSignUp({
      ...su,
      oauth: { ...pending, status: "transferable", error: "external_account_exists", transferUserId: found.id },
      updatedAt: now,
    });
    return;
  }
  const created = await createUser(svc, {
    emailAddresses: profile.email ? [profile.email] : [],
    emailVerified: profile.emailVerified,
    firstName: su.firstName ?? profile.firstName,
    lastName: su.lastName ?? profile.lastName,
    unsafeMetadata: su.unsafeMetadata,
  });
  await acceptInvitations(svc, created);
  const user = await linkAccount(svc, created, pending.provider, profile);
  const client = await env.ctx.ensure();
  const session = await svc.createSession(client.id, user);
  await env.ctx.rotate();
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id, signUpId: su.id });
  svc.logger.info("sign-up complete", { user_id: user.id, strategy: `oauth_${pending.provider}` });
  await svc.store.saveSignUp({
    ...su,
    status: "complete",
    email: profile.email,
    emailVerified: profile.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    oauth: { ...pending, status: "verified", authorizationUrl: "" },
    createdUserId: user.id,
    createdSessionId: session.id,
    updatedAt: svc.now(),
  });
}

/** `POST /v1/client/sign_ins {transfer: true}`: signs in the user a transferable sign-up found. */
export async function transferSignIn(env: FapiEnv): Promise<FapiOutcome> {
  const svc = env.svc;
  const client = env.ctx.client;
  const su = client?.signUpId ? await svc.store.getSignUp(svc.instanceId, client.signUpId) : null;
  const pending = su?.oauth;
  if (!client || !su || pending?.status !== "transferable" || !pending.transferUserId)
    throw new ApiError("sign_in_transfer_invalid", { param: "transfer" });
  const user = await svc.store.getUser(svc.instanceId, pending.transferUserId);
  if (!user) throw new ApiError("sign_in_transfer_invalid", { param: "transfer" });
  // Spent: one transfer per provider trip.
  await svc.store.saveSignUp({ ...su, oauth: { ...pending, transferUserId: null }, updatedAt: svc.now() });
  const now = svc.now();
  const si: SignInRecord = {
    id: newId.signIn(),
    instanceId: svc.instanceId,
    clientId: client.id,
    status: "needs_first_factor",
    identifier: null,
    userId: user.id,
    code: null,
    verification: null,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
  };
  await svc.store.saveSignIn(si);
  await env.ctx.save({ ...client, signInId: si.id });
  return signInAs(env, si, user, `oauth_${pending.provider}`, null);
}
