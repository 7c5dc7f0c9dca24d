/**
 * Social / OIDC sign-in (`oauth_<provider>`) on the Frontend API, as clerk-js's
 * `authenticateWithRedirect` drives it: `POST /v1/client/sign_ins {strategy, redirect_url}`
 * answers a sign-in whose `first_factor_verification.external_verification_redirect_url` is the
 * provider; the provider returns to `GET /v1/oauth_callback`, which checks the `state` (the
 * flow's own secret, and the same browser), exchanges the code (`oauth/flow.ts`), finds or
 * links or creates the user, signs in and sends the browser back to `redirect_url`.
 * Sign-ups take the same trip (`oauth-sign-up.ts`), and so does a signed-in user connecting
 * another account (`me-external-accounts.ts`, `oauth-connect.ts`); the callback serves all three.
 */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import { safeEqual, sha256Hex } from "../crypto/secrets.js";
import { createUser } from "../domain/users.js";
import { finishAuthorization, parseState, type OAuthProfile } from "../oauth/flow.js";
import type { ExternalAccountConnection, PendingOAuth, SignInRecord, SignUpRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { existingAccount, linkAccount } from "./oauth-accounts.js";
import { finishOAuthSignUp } from "./oauth-sign-up.js";
import { finishConnection } from "./oauth-connect.js";
import type { Endpoint } from "./steps/pipeline.js";
import { signInAs, startOAuth } from "./oauth-steps.js";

/** `POST /v1/client/sign_ins` with an `oauth_<provider>` strategy. */
export async function startOAuthSignIn(env: FapiEnv, strategy: string): Promise<FapiOutcome> {
  const id = newId.signIn();
  const { pending, clientId } = await startOAuth(env, strategy, id);
  const now = env.svc.now();
  const si: SignInRecord = {
    id,
    instanceId: env.svc.instanceId,
    clientId,
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
  await env.ctx.save({ ...env.ctx.client!, signInId: si.id });
  return { kind: "sign_in", record: si };
}

const back = (url: string): FapiOutcome => ({ kind: "redirect", location: url });

type Flow =
  | { kind: "sign_in"; record: SignInRecord }
  | { kind: "sign_up"; record: SignUpRecord }
  | { kind: "connect"; record: ExternalAccountConnection };

/** The flow a `state` names, only with its own secret, while pending, in the browser that started it. */
async function flowOf(env: FapiEnv, state: string | null): Promise<{ flow: Flow; pending: PendingOAuth }> {
  const parsed = parseState(state);
  const store = env.svc.store;
  const sid = parsed ? parseId.signIn(parsed.flowId) : null;
  const uid = parsed ? parseId.signUp(parsed.flowId) : null;
  const cid = parsed ? parseId.externalAccount(parsed.flowId) : null;
  const flow: Flow | null = sid
    ? await store.getSignIn(env.svc.instanceId, sid).then((r) => (r ? { kind: "sign_in" as const, record: r } : null))
    : uid
      ? await store.getSignUp(env.svc.instanceId, uid).then((r) => (r ? { kind: "sign_up" as const, record: r } : null))
      : cid
        ? await store
            .getExternalAccountConnection(env.svc.instanceId, cid)
            .then((r) => (r ? { kind: "connect" as const, record: r } : null))
        : null;
  const pending = flow?.record.oauth;
  // A forged, replayed or foreign state changes nothing.
  if (
    !parsed ||
    !flow ||
    !pending ||
    !safeEqual(pending.stateHash, sha256Hex(parsed.secret)) ||
    pending.status !== "unverified" ||
    env.ctx.client?.id !== flow.record.clientId
  )
    throw new ApiError("oauth_state_invalid", { param: "state" });
  return { flow, pending };
}

/** `GET /v1/oauth_callback?state&code` (or `&error`) from the provider. */
export const oauthCallback: Endpoint<undefined> = async (env) => {
  const q = env.req.query;
  const { flow, pending } = await flowOf(env, q.get("state"));
  const strategy = `oauth_${pending.provider}`;
  const fail = async (status: "failed" | "expired", error: string) => {
    const oauth = { ...pending, status, error };
    const updatedAt = env.svc.now();
    switch (flow.kind) {
      case "sign_up":
        await env.svc.store.saveSignUp({ ...flow.record, oauth, updatedAt });
        break;
      case "connect":
        await env.svc.store.saveExternalAccountConnection({ ...flow.record, oauth, updatedAt });
        break;
      case "sign_in":
        await env.svc.store.saveSignIn({
          ...flow.record,
          oauth,
          verification: { strategy, status, attempts: 1, expireAt: pending.expireAt },
          updatedAt,
        });
        break;
      default:
        flow satisfies never;
    }
    return back(pending.redirectUrl);
  };
  if (pending.expireAt <= env.svc.now()) return fail("expired", "verification_expired");
  const code = q.get("code");
  if (q.get("error") || !code) return fail("failed", "oauth_access_denied");
  try {
    const resolved = await env.svc.oauth.resolve(pending.provider);
    const profile = await finishAuthorization(resolved, env.svc.issuer, pending, code);
    switch (flow.kind) {
      case "sign_up":
        await finishOAuthSignUp(env, flow.record, pending, profile);
        break;
      case "connect":
        await finishConnection(env, flow.record, profile);
        break;
      case "sign_in":
        await finishOAuthSignIn(env, flow.record, pending, profile);
        break;
      default:
        flow satisfies never;
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    env.svc.logger.warn("oauth sign-in failed", { provider: pending.provider, code: e.code });
    return fail("failed", e.code);
  }
  return back(pending.redirectUrl);
};

/** The provider vouched for `profile`: sign in its user (linked, matched by verified e-mail, else new). */
async function finishOAuthSignIn(
  env: FapiEnv,
  si: SignInRecord,
  pending: PendingOAuth,
  profile: OAuthProfile,
): Promise<void> {
  const svc = env.svc;
  const found = await existingAccount(svc, pending.provider, profile);
  const user = await linkAccount(
    svc,
    found ??
      (await createUser(svc, {
        emailAddresses: profile.email ? [profile.email] : [],
        emailVerified: profile.emailVerified,
        firstName: profile.firstName,
        lastName: profile.lastName,
      })),
    pending.provider,
    profile,
  );
  await signInAs(env, si, user, `oauth_${pending.provider}`, { ...pending, status: "verified", authorizationUrl: "" });
}
