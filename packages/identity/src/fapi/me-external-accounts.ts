/**
 * `/v1/me/external_accounts`: what clerk-js's `user.createExternalAccount({strategy, redirectUrl})`
 * and `ExternalAccount.destroy()` call. Creating one starts a provider trip for the signed-in user
 * (stored as a connection until the callback, `oauth-connect.ts`, links the account); it answers
 * an external account whose `verification.external_verification_redirect_url` is the provider.
 */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import type { ActiveSession } from "../domain/service.js";
import type { ExternalAccountConnection, UserRecord } from "../store/types.js";
import { connectionJSON } from "./json.js";
import { startOAuth } from "./oauth-steps.js";
import type { Endpoint } from "./steps/pipeline.js";

export const createMyExternalAccount: Endpoint<ActiveSession> = async (env, a) => {
  const strategy = env.req.fields.required("strategy", 64);
  const id = newId.externalAccount();
  const { pending, clientId } = await startOAuth(env, strategy, id);
  // One trip per provider at a time: an earlier unfinished or failed one is replaced.
  for (const old of a.user.externalAccountConnections ?? [])
    if (old.oauth.provider === pending.provider)
      await env.svc.store.deleteExternalAccountConnection(env.svc.instanceId, old.id);
  const now = env.svc.now();
  const row: ExternalAccountConnection = {
    id,
    instanceId: env.svc.instanceId,
    userId: a.user.id,
    clientId,
    oauth: pending,
    createdAt: now,
    updatedAt: now,
  };
  await env.svc.store.saveExternalAccountConnection(row);
  return { kind: "resource", body: connectionJSON(row) };
};

export const deleteMyExternalAccount: Endpoint<ActiveSession> = async (env, a, params) => {
  const id = parseId.externalAccount(params.external_account_id ?? "");
  const store = env.svc.store;
  const pending = (a.user.externalAccountConnections ?? []).find((c) => c.id === id);
  if (pending) await store.deleteExternalAccountConnection(env.svc.instanceId, pending.id);
  else {
    const linked = (a.user.externalAccounts ?? []).find((e) => e.id === id);
    if (!linked) throw new ApiError("resource_not_found", { param: "external_account_id" });
    if (!otherWayIn(a.user, linked.id))
      throw new ApiError("identification_deletion_failed", { param: "external_account_id" });
    await store.deleteExternalAccount(env.svc.instanceId, linked.id);
  }
  return { kind: "resource", body: { object: "external_account", id, deleted: true } };
};

/**
 * Whether the user keeps an identification to sign in with once `externalAccountId` is gone: an
 * e-mail address, a verified phone number, a username with a password, a passkey or another
 * linked provider account.
 */
function otherWayIn(user: UserRecord, externalAccountId: string): boolean {
  return (
    user.emails.length > 0 ||
    (user.username !== null && user.passwordHash !== null) ||
    (user.phones ?? []).some((p) => p.verified) ||
    (user.passkeys ?? []).length > 0 ||
    (user.externalAccounts ?? []).some((e) => e.id !== externalAccountId)
  );
}
