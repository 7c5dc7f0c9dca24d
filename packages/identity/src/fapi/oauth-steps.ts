/**
 * The steps OAuth sign-ins and sign-ups share: starting the trip to the provider, and signing in
 * as the user the provider vouched for (or stopping at the second factor).
 */
import { ApiError } from "../errors.js";
import { checkRedirectUrl } from "../domain/email-links.js";
import { hasSecondFactor } from "../domain/second-factor.js";
import { startAuthorization } from "../oauth/flow.js";
import type { PendingOAuth, SignInRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { finishSignIn } from "./sign-in-finish.js";

/** The provider trip a sign-in or sign-up starts: what it keeps, checked redirect URLs. */
export async function startOAuth(
  env: FapiEnv,
  strategy: string,
  flowId: string,
): Promise<{ pending: PendingOAuth; clientId: NonNullable<FapiEnv["ctx"]["client"]>["id"] }> {
  const provider = env.svc.oauth.fromStrategy(strategy);
  if (!provider) throw new ApiError("form_param_value_invalid", { param: "strategy" });
  const f = env.req.fields;
  const redirectUrl = checkRedirectUrl(env.svc, f.required("redirect_url", 2048), env.req.origin);
  const complete = f.str("action_complete_redirect_url", 2048);
  const actionComplete = complete ? checkRedirectUrl(env.svc, complete, env.req.origin) : null;
  const resolved = await env.svc.oauth.resolve(provider);
  const client = await env.ctx.ensure();
  const { pending } = startAuthorization(resolved, env.svc.issuer, flowId, env.svc.now(), redirectUrl, actionComplete);
  return { pending, clientId: client.id };
}

/** Completes `si` for `user` (or leaves it at `needs_second_factor`) after a provider vouched for them. */
export async function signInAs(
  env: FapiEnv,
  si: SignInRecord,
  user: UserRecord,
  strategy: string,
  oauth: PendingOAuth | null,
): Promise<FapiOutcome> {
  await env.svc.assertCanSignIn(user);
  const verified: SignInRecord = {
    ...si,
    userId: user.id,
    identifier: user.emails[0]?.email ?? null,
    oauth,
    verification: { strategy, status: "verified", attempts: 1, expireAt: null },
    updatedAt: env.svc.now(),
  };
  if (hasSecondFactor(user)) {
    const waiting: SignInRecord = { ...verified, status: "needs_second_factor", secondFactor: null };
    await env.svc.store.saveSignIn(waiting);
    await env.ctx.save({ ...(await env.ctx.ensure()), signInId: si.id });
    return { kind: "sign_in", record: waiting };
  }
  return finishSignIn(env, verified, user, strategy);
}
