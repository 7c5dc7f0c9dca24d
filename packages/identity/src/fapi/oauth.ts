/**
 * Social / OIDC sign-in (`oauth_<provider>`) on the Frontend API, as clerk-js's
 * `authenticateWithRedirect` drives it: `POST /v1/client/sign_ins {strategy, redirect_url}`
 * answers a sign-in whose `first_factor_verification.external_verification_redirect_url` is the
 * provider; the provider returns to `GET /v1/oauth_callback`, which checks the `state` (the
 * sign-in's own secret, and the same browser), exchanges the code (`oauth/flow.ts`), finds or
 * links or creates the user, signs in and sends the browser back to `redirect_url`.
 * Linking by e-mail happens only when the provider says the address is verified.
 */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import { safeEqual, sha256Hex } from "../crypto/secrets.js";
import { checkRedirectUrl } from "../domain/email-links.js";
import { hasSecondFactor } from "../domain/second-factor.js";
import { createUser } from "../domain/users.js";
import { finishAuthorization, parseState, startAuthorization, type OAuthProfile } from "../oauth/flow.js";
import type { SignInRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { finishSignIn } from "./sign-ins.js";
import type { Endpoint } from "./steps/pipeline.js";

/** `POST /v1/client/sign_ins` with an `oauth_<provider>` strategy. */
export async function startOAuthSignIn(env: FapiEnv, strategy: string): Promise<FapiOutcome> {
  const provider = env.svc.oauth.fromStrategy(strategy);
  if (!provider) throw new ApiError("form_param_value_invalid", { param: "strategy" });
  const f = env.req.fields;
  const redirectUrl = checkRedirectUrl(env.svc, f.required("redirect_url", 2048), env.req.origin);
  const complete = f.str("action_complete_redirect_url", 2048);
  const actionComplete = complete ? checkRedirectUrl(env.svc, complete, env.req.origin) : null;
  const resolved = await env.svc.oauth.resolve(provider);
  const client = await env.ctx.ensure();
  const now = env.svc.now();
  const id = newId.signIn();
  const { pending } = startAuthorization(resolved, env.svc.issuer, id, now, redirectUrl, actionComplete);
  const si: SignInRecord = {
    id,
    instanceId: env.svc.instanceId,
    clientId: client.id,
    status: "needs_identifier",
    identifier: null,
    userId: null,
    code: null,
    verification: { strategy, status: "unverified", attempts: 0, expireAt: pending.expireAt },
    oauth: pending,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
  };
  await env.svc.store.saveSignIn(si);
  await env.ctx.save({ ...client, signInId: si.id });
  return { kind: "sign_in", record: si };
}

const back = (url: string): FapiOutcome => ({ kind: "redirect", location: url });

/** `GET /v1/oauth_callback?state&code` (or `&error`) from the provider. */
export const oauthCallback: Endpoint<undefined> = async (env) => {
  const q = env.req.query;
  const state = parseState(q.get("state"));
  const si = state ? await env.svc.store.getSignIn(env.svc.instanceId, parseId.signIn(state.flowId)!) : null;
  const pending = si?.oauth;
  // A forged, replayed or foreign state changes nothing; the callback must come back to the browser that started it.
  if (
    !state ||
    !si ||
    !pending ||
    !safeEqual(pending.stateHash, sha256Hex(state.secret)) ||
    pending.status !== "unverified" ||
    env.ctx.client?.id !== si.clientId
  )
    throw new ApiError("oauth_state_invalid", { param: "state" });
  const strategy = `oauth_${pending.provider}`;
  const fail = async (status: "failed" | "expired", error: string) => {
    await env.svc.store.saveSignIn({
      ...si,
      oauth: { ...pending, status, error },
      verification: { strategy, status, attempts: 1, expireAt: pending.expireAt },
      updatedAt: env.svc.now(),
    });
    return back(pending.redirectUrl);
  };
  if (pending.expireAt <= env.svc.now()) return fail("expired", "verification_expired");
  const code = q.get("code");
  if (q.get("error") || !code) return fail("failed", "oauth_access_denied");
  let user: UserRecord;
  try {
    const profile = await finishAuthorization(
      await env.svc.oauth.resolve(pending.provider),
      env.svc.issuer,
      pending,
      code,
    );
    user = await accountFor(env, pending.provider, profile);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    env.svc.logger.warn("oauth sign-in failed", { provider: pending.provider, code: e.code });
    return fail("failed", e.code);
  }
  await env.svc.assertCanSignIn(user);
  const verified: SignInRecord = {
    ...si,
    userId: user.id,
    identifier: user.emails[0]?.email ?? null,
    oauth: { ...pending, status: "verified", authorizationUrl: "" },
    verification: { strategy, status: "verified", attempts: 1, expireAt: null },
    updatedAt: env.svc.now(),
  };
  if (hasSecondFactor(user)) {
    await env.svc.store.saveSignIn({ ...verified, status: "needs_second_factor", secondFactor: null });
    return back(pending.redirectUrl);
  }
  await finishSignIn(env, verified, user, strategy);
  return back(pending.redirectUrl);
};

/** The user of this provider account: already linked, else linked by verified e-mail, else new. */
async function accountFor(env: FapiEnv, provider: string, profile: OAuthProfile): Promise<UserRecord> {
  const svc = env.svc;
  const linked = await svc.store.findExternalAccount(svc.instanceId, provider, profile.subject);
  let user = linked ? await svc.store.getUser(svc.instanceId, linked.userId) : null;
  if (!user && profile.email) {
    const byEmail = await svc.store.findUserByEmail(svc.instanceId, profile.email);
    if (byEmail) {
      const own = byEmail.emails.find((e) => e.email === profile.email);
      // Only a verified address on both sides proves the same person.
      if (!profile.emailVerified || !own?.verified)
        throw new ApiError("form_identifier_exists", { param: "email_address" });
      user = byEmail;
    }
  }
  user ??= await createUser(svc, {
    emailAddresses: profile.email ? [profile.email] : [],
    emailVerified: profile.emailVerified,
    firstName: profile.firstName,
    lastName: profile.lastName,
  });
  const now = svc.now();
  await svc.store.saveExternalAccount({
    id: linked?.id ?? `eac_${newId.user().slice(5)}`,
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
