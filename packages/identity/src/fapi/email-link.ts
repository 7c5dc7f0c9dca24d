/**
 * Magic links on the Frontend API: preparing an `email_link` first factor (sign-in) or
 * verification (sign-up), and `GET /v1/verify`, where the link lands. A click in the browser that
 * asked signs it in there (a rotated client token, `__clerk_created_session` on the way back); a
 * click elsewhere completes the flow for the asking client, whose polling clerk-js picks it up.
 * Rules are in `domain/email-links.ts`.
 */
import { ApiError } from "../errors.js";
import { parseId } from "../ids.js";
import { checkLink, checkRedirectUrl, linkReturnUrl, parseLinkToken, sendEmailLink } from "../domain/email-links.js";
import { hasSecondFactor } from "../domain/second-factor.js";
import { codeAddress } from "../domain/sign-in.js";
import { createUserFromSignUp, readyToComplete } from "../domain/sign-up.js";
import type { ClientId, SessionId } from "../ids.js";
import type { PendingLink, SignInRecord, SignUpRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { finishSignIn } from "./sign-in-finish.js";
import { maybeCompleteSignUp } from "./sign-up-finish.js";
import type { Endpoint } from "./steps/pipeline.js";

const redirectUrlOf = (env: FapiEnv) =>
  checkRedirectUrl(env.svc, env.req.fields.required("redirect_url", 2048), env.req.origin);

export async function prepareSignInLink(env: FapiEnv, si: SignInRecord, user: UserRecord | null): Promise<FapiOutcome> {
  const redirectUrl = redirectUrlOf(env);
  const email = user ? codeAddress(user, env.req.fields.str("email_address_id", 64)) : null;
  if (user) await env.svc.assertCanSignIn(user);
  const link = await sendEmailLink(env.svc, email?.email ?? null, si.id, "sign_in", redirectUrl);
  const next: SignInRecord = {
    ...si,
    code: null,
    emailLink: link,
    verification: { strategy: "email_link", status: "unverified", attempts: 0, expireAt: link.expireAt },
    updatedAt: env.svc.now(),
  };
  await env.svc.store.saveSignIn(next);
  return { kind: "sign_in", record: next };
}

export async function prepareSignUpLink(env: FapiEnv, su: SignUpRecord): Promise<FapiOutcome> {
  const redirectUrl = redirectUrlOf(env);
  if (!su.email) throw new ApiError("form_param_missing", { param: "email_address" });
  if (su.emailVerified) throw new ApiError("verification_already_verified");
  const link = await sendEmailLink(env.svc, su.email, su.id, "sign_up", redirectUrl);
  const next: SignUpRecord = {
    ...su,
    code: null,
    emailLink: link,
    verificationStatus: "unverified",
    updatedAt: env.svc.now(),
  };
  await env.svc.store.saveSignUp(next);
  return { kind: "sign_up", record: next };
}

/** Flows whose link is being verified right now: a second concurrent click loses instead of completing twice. */
const inFlight = new Set<string>();

export const verifyEmailLink: Endpoint<undefined> = async (env) => {
  const token = parseLinkToken(env.req.query.get("token"));
  if (!token) throw new ApiError("verification_failed", { param: "token" });
  if (inFlight.has(token.flowId)) throw new ApiError("verification_failed", { param: "token" });
  inFlight.add(token.flowId);
  try {
    const signInId = parseId.signIn(token.flowId);
    if (signInId)
      return await verifySignIn(env, await env.svc.store.getSignIn(env.svc.instanceId, signInId), token.secret);
    const signUpId = parseId.signUp(token.flowId);
    return await verifySignUp(
      env,
      signUpId ? await env.svc.store.getSignUp(env.svc.instanceId, signUpId) : null,
      token.secret,
    );
  } finally {
    inFlight.delete(token.flowId);
  }
};

/** The link's answer when it cannot verify; an expired link is marked so the asking client's poll sees it. */
function refused(status: "expired" | "failed", link: PendingLink): FapiOutcome {
  return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, status) };
}

/** A session for the flow's own client when the click came from another browser (its token is not ours to rotate). */
async function sessionForOtherClient(env: FapiEnv, clientId: ClientId, user: UserRecord): Promise<SessionId> {
  const session = await env.svc.createSession(clientId, user);
  const client = await env.svc.store.getClient(env.svc.instanceId, clientId);
  if (client) await env.svc.store.saveClient({ ...client, lastActiveSessionId: session.id, updatedAt: env.svc.now() });
  return session.id;
}

async function verifySignIn(env: FapiEnv, si: SignInRecord | null, secret: string): Promise<FapiOutcome> {
  if (!si?.emailLink) throw new ApiError("verification_failed", { param: "token" });
  const link = si.emailLink;
  const outcome =
    si.status === "needs_first_factor"
      ? checkLink(env.svc, link, secret)
      : checkLink(env.svc, { ...link, status: "verified" }, secret);
  const user = si.userId ? await env.svc.store.getUser(env.svc.instanceId, si.userId) : null;
  if (outcome !== "verified" || !user) {
    if (outcome === "expired" && link.status === "unverified") await expireSignIn(env, si);
    return refused(outcome === "verified" ? "failed" : outcome, link);
  }
  await env.svc.assertCanSignIn(user);
  const now = env.svc.now();
  const verified: SignInRecord = {
    ...si,
    emailLink: { ...link, status: "verified" },
    verification: { strategy: "email_link", status: "verified", attempts: 1, expireAt: null },
    updatedAt: now,
  };
  if (hasSecondFactor(user)) {
    await env.svc.store.saveSignIn({ ...verified, status: "needs_second_factor", secondFactor: null });
    return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, "verified") };
  }
  await env.svc.recordSuccess(user);
  if (env.ctx.client?.id === si.clientId) {
    const out = await finishSignIn(env, verified, user, "email_link");
    const created = out.kind === "sign_in" ? out.record.createdSessionId : null;
    return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, "verified", created) };
  }
  const sessionId = await sessionForOtherClient(env, si.clientId, user);
  await env.svc.store.saveSignIn({ ...verified, status: "complete", createdSessionId: sessionId });
  env.svc.logger.info("sign-in complete", { user_id: user.id, strategy: "email_link" });
  return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, "verified") };
}

async function expireSignIn(env: FapiEnv, si: SignInRecord): Promise<SignInRecord> {
  const next: SignInRecord = {
    ...si,
    emailLink: { ...si.emailLink!, status: "expired" },
    verification: si.verification ? { ...si.verification, status: "expired" } : null,
    updatedAt: env.svc.now(),
  };
  await env.svc.store.saveSignIn(next);
  return next;
}

/** A link nobody clicked in time reads as expired, so clerk-js's poll (`reload`) stops. */
export async function withStaleLinkExpired(env: FapiEnv, si: SignInRecord): Promise<SignInRecord> {
  const link = si.emailLink;
  return link?.status === "unverified" && link.expireAt <= env.svc.now() && si.status === "needs_first_factor"
    ? expireSignIn(env, si)
    : si;
}

async function verifySignUp(env: FapiEnv, su: SignUpRecord | null, secret: string): Promise<FapiOutcome> {
  if (!su?.emailLink) throw new ApiError("verification_failed", { param: "token" });
  const link = su.emailLink;
  const outcome =
    su.status === "missing_requirements" && !su.emailVerified
      ? checkLink(env.svc, link, secret)
      : checkLink(env.svc, { ...link, status: "verified" }, secret);
  if (outcome !== "verified") {
    if (outcome === "expired" && link.status === "unverified")
      await env.svc.store.saveSignUp({
        ...su,
        emailLink: { ...link, status: "expired" },
        verificationStatus: "expired",
        updatedAt: env.svc.now(),
      });
    return refused(outcome, link);
  }
  const verified: SignUpRecord = {
    ...su,
    emailVerified: true,
    verificationStatus: "verified",
    emailLink: { ...link, status: "verified" },
    updatedAt: env.svc.now(),
  };
  if (env.ctx.client?.id === su.clientId) {
    const out = await maybeCompleteSignUp(env, verified);
    const created = out.kind === "sign_up" ? out.record.createdSessionId : null;
    return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, "verified", created) };
  }
  if (!readyToComplete(verified)) {
    await env.svc.store.saveSignUp(verified);
    return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, "verified") };
  }
  const user = await createUserFromSignUp(env.svc, verified);
  const sessionId = await sessionForOtherClient(env, su.clientId, user);
  await env.svc.store.saveSignUp({
    ...verified,
    status: "complete",
    createdUserId: user.id,
    createdSessionId: sessionId,
    passwordHash: null,
    code: null,
  });
  env.svc.logger.info("sign-up complete", { user_id: user.id });
  return { kind: "redirect", location: linkReturnUrl(link.redirectUrl, "verified") };
}
