/**
 * The callback branch for `user.createExternalAccount`: the provider vouched for an account, so
 * link it to the user who started the connection — unless it is already another user's
 * (`external_account_exists`), which leaves the connection failed for the user to see.
 */
import { ApiError } from "../errors.js";
import type { OAuthProfile } from "../oauth/flow.js";
import type { ExternalAccountConnection } from "../store/types.js";
import { linkAccount } from "./oauth-accounts.js";
import type { FapiEnv } from "./outcome.js";

export async function finishConnection(
  env: FapiEnv,
  conn: ExternalAccountConnection,
  profile: OAuthProfile,
): Promise<void> {
  const svc = env.svc;
  const user = await svc.store.getUser(svc.instanceId, conn.userId);
  if (!user) throw new ApiError("resource_not_found");
  await svc.assertCanSignIn(user);
  const linked = await svc.store.findExternalAccount(svc.instanceId, conn.oauth.provider, profile.subject);
  if (linked && linked.userId !== user.id) throw new ApiError("external_account_exists", { param: "strategy" });
  await linkAccount(svc, user, conn.oauth.provider, profile);
  await svc.store.deleteExternalAccountConnection(svc.instanceId, conn.id);
}
