/**
 * Sign-in endpoints (the state machine and its rules are in `domain/sign-in.ts`; rate limits,
 * loading the client's own sign-in and status preconditions are the route's steps, `routes.ts`).
 */
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import { hashPassword } from "../crypto/passwords.js";
import { checkPasswordRules } from "../crypto/password-rules.js";
import { userEvent } from "../webhooks/events.js";
import { checkCode, issueCode } from "../domain/codes.js";
import {
  checkFirstFactorPassword,
  codeAddress,
  findUserByIdentifier,
  parseFirstFactor,
  refuseUnknownIdentifier,
  type FirstFactor,
} from "../domain/sign-in.js";
import { hasSecondFactor } from "../domain/second-factor.js";
import { prepareSignInLink, withStaleLinkExpired } from "./email-link.js";
import { preparePhoneSignIn } from "./phone-sign-in.js";
import { transferSignIn } from "./oauth-sign-up.js";
import { startOAuthSignIn } from "./oauth.js";
import { attemptPasskeySignIn, startPasskeySignIn } from "./passkeys.js";
import { verifiedPhones } from "../domain/phones.js";
import type { SignInRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import type { Endpoint } from "./steps/pipeline.js";
import { finishSignIn, saveSignIn as save } from "./sign-in-finish.js";

/** After the first factor: a user with a second factor goes on to `needs_second_factor`, others finish. */
async function complete(env: FapiEnv, si: SignInRecord, user: UserRecord, strategy: FirstFactor): Promise<FapiOutcome> {
  if (!hasSecondFactor(user)) return finishSignIn(env, si, user, strategy);
  return save(env, {
    ...si,
    status: "needs_second_factor",
    code: null,
    verification: { strategy, status: "verified", attempts: si.verification?.attempts ?? 1, expireAt: null },
    secondFactor: null,
  });
}

async function userFor(env: FapiEnv, si: SignInRecord): Promise<UserRecord | null> {
  return si.userId ? env.svc.store.getUser(env.svc.instanceId, si.userId) : null;
}

/** `POST /v1/client/sign_ins`: starts a sign-in; identifier + password sign in at once. */
export const createSignIn: Endpoint<undefined> = async (env) => {
  const f = env.req.fields;
  const identifier = f.str("identifier", 320)?.trim() || null;
  const password = f.str("password", 1024);
  const strategy = f.str("strategy", 64);
  if (strategy?.startsWith("oauth_")) return startOAuthSignIn(env, strategy);
  if (f.bool("transfer") === true) return transferSignIn(env);
  if (strategy === "passkey") return startPasskeySignIn(env, null);
  if (strategy) parseFirstFactor(strategy, "form_param_value_invalid");
  const user = identifier ? await findUserByIdentifier(env.svc, identifier) : null;
  if (identifier && !user) await refuseUnknownIdentifier(env.svc, password);
  const client = await env.ctx.ensure();
  const now = env.svc.now();
  const si: SignInRecord = {
    id: newId.signIn(),
    instanceId: env.svc.instanceId,
    clientId: client.id,
    status: identifier ? "needs_first_factor" : "needs_identifier",
    identifier: identifier ? identifier.toLowerCase() : null,
    userId: user?.id ?? null,
    code: null,
    verification: null,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
  };
  await env.svc.store.saveSignIn(si);
  await env.ctx.save({ ...client, signInId: si.id });
  if (password !== undefined && identifier) {
    await env.svc.limits.identifier(identifier);
    return complete(env, si, await checkFirstFactorPassword(env.svc, user, password), "password");
  }
  return { kind: "sign_in", record: si };
};

/** Sends the e-mail code of a code factor (a password needs no preparation). */
export const prepareFirstFactor: Endpoint<SignInRecord> = async (env, si) => {
  if (env.req.fields.str("strategy", 64) === "passkey") return startPasskeySignIn(env, si);
  const strategy = parseFirstFactor(env.req.fields.required("strategy", 64), "strategy_for_user_invalid");
  if (strategy === "password") return { kind: "sign_in", record: si };
  const user = await userFor(env, si);
  if (strategy === "email_link") return prepareSignInLink(env, si, user);
  if (strategy === "phone_code") return preparePhoneSignIn(env, si, user);
  const email = user ? codeAddress(user, env.req.fields.str("email_address_id", 64)) : null;
  if (user) await env.svc.assertCanSignIn(user);
  // Unknown identifier under enumeration protection: behave the same, send nothing.
  const issued = email
    ? await issueCode(env.svc, email.email, strategy === "email_code" ? "signInCode" : "resetPassword")
    : { codeHash: "", expireAt: env.svc.now() + 600_000, attempts: 0 };
  return save(env, {
    ...si,
    code: { strategy, emailId: email?.id ?? null, ...issued },
    emailLink: null,
    verification: { strategy, status: "unverified", attempts: 0, expireAt: issued.expireAt },
  });
};

export const attemptFirstFactor: Endpoint<SignInRecord> = async (env, si) => {
  const f = env.req.fields;
  if (f.str("strategy", 64) === "passkey") return attemptPasskeySignIn(env, si);
  const strategy = parseFirstFactor(f.required("strategy", 64), "strategy_for_user_invalid");
  const user = await userFor(env, si);
  if (strategy === "password")
    return complete(env, si, await checkFirstFactorPassword(env.svc, user, f.required("password", 1024)), "password");
  // A link is clicked (`GET /v1/verify`), never attempted.
  if (strategy === "email_link") throw new ApiError("strategy_for_user_invalid", { param: "strategy" });
  if (strategy === "phone_code" && user && verifiedPhones(user).length === 0)
    throw new ApiError("strategy_for_user_invalid", { param: "strategy" });
  const code = f.required("code", 32);
  if (!si.code || si.code.strategy !== strategy) throw new ApiError("verification_missing", { param: "code" });
  if (user) await env.svc.assertCanSignIn(user);
  if (!user || checkCode(env.svc, si.code, code) === "incorrect") {
    const attempts = si.code.attempts + 1;
    await save(env, {
      ...si,
      code: { ...si.code, attempts },
      verification: { ...si.verification!, attempts, status: "unverified" },
    });
    if (user) await env.svc.recordFailure(user);
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  if (!hasSecondFactor(user)) await env.svc.recordSuccess(user);
  if (strategy === "email_code" || strategy === "phone_code") return complete(env, si, user, strategy);
  return save(env, {
    ...si,
    status: "needs_new_password",
    code: null,
    verification: { strategy, status: "verified", attempts: si.code.attempts + 1, expireAt: null },
  });
};

/** After a verified reset code: the new password, then the sign-in completes. */
export const resetPassword: Endpoint<SignInRecord> = async (env, si) => {
  const f = env.req.fields;
  const password = f.required("password", 1024);
  checkPasswordRules(password);
  const signOutOthers = f.bool("sign_out_of_other_sessions") ?? false;
  const user = await userFor(env, si);
  if (!user) throw new ApiError("resource_not_found", { param: "sign_in_id" });
  const now = env.svc.now();
  const updated = { ...user, passwordHash: await hashPassword(password), passwordUpdatedAt: now, updatedAt: now };
  await env.svc.store.saveUser(updated, [userEvent(env.svc, "user.updated", updated)]);
  if (signOutOthers) await env.svc.revokeUserSessions(user.id);
  return complete(env, si, updated, "reset_password_email_code");
};

export const getSignIn: Endpoint<SignInRecord> = async (env, si) => ({
  kind: "sign_in",
  record: await withStaleLinkExpired(env, si),
});
