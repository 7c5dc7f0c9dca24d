/**
 * Sign-up endpoints (the state machine is in `domain/sign-up.ts`; rate limits, loading the
 * client's own sign-up and status preconditions are the route's steps, `routes.ts`).
 */
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import { checkPasswordRules } from "../crypto/password-rules.js";
import { hashPassword } from "../crypto/passwords.js";
import { checkCode, issueCode } from "../domain/codes.js";
import { withFields } from "../domain/sign-up.js";
import { checkMetadata, checkName, checkUsername, normalizeEmail } from "../domain/validate.js";
import type { SignUpRecord } from "../store/types.js";
import type { FapiEnv } from "./outcome.js";
import { prepareSignUpLink } from "./email-link.js";
import { attemptPhoneVerification, preparePhoneVerification } from "../domain/sign-up-phone.js";
import { normalizeE164 } from "../domain/phones.js";
import type { Endpoint } from "./steps/pipeline.js";
import { maybeCompleteSignUp, saveSignUp as save } from "./sign-up-finish.js";
import { startOAuthSignUp } from "./oauth-sign-up.js";

/** Validates the fields present in the body and returns the changes to apply (other keys clerk-js sends, like locale, are ignored). */
async function readFields(env: FapiEnv): Promise<Partial<SignUpRecord>> {
  const f = env.req.fields;
  const out: Partial<SignUpRecord> = {};
  const email = f.nullableStr("email_address", 320);
  if (email !== undefined) {
    out.email = email === null ? null : normalizeEmail(email);
    if (out.email && (await env.svc.store.findUserByEmail(env.svc.instanceId, out.email)))
      throw new ApiError("form_identifier_exists", { param: "email_address" });
  }
  const username = f.nullableStr("username", 200);
  if (username !== undefined) {
    out.username = checkUsername(username);
    if (out.username && (await env.svc.store.findUserByUsername(env.svc.instanceId, out.username)))
      throw new ApiError("form_identifier_exists", { param: "username" });
  }
  const phone = f.nullableStr("phone_number", 40);
  if (phone !== undefined) {
    out.phone = phone === null ? null : normalizeE164(phone);
    if (out.phone && (await env.svc.store.findUserIdByPhone(env.svc.instanceId, out.phone)))
      throw new ApiError("form_identifier_exists", { param: "phone_number" });
  }
  const first = f.nullableStr("first_name", 400);
  if (first !== undefined) out.firstName = checkName(first, "first_name");
  const last = f.nullableStr("last_name", 400);
  if (last !== undefined) out.lastName = checkName(last, "last_name");
  const meta = f.object("unsafe_metadata");
  if (meta !== undefined) out.unsafeMetadata = checkMetadata(meta, "unsafe_metadata");
  const password = f.str("password", 1024);
  if (password !== undefined) {
    checkPasswordRules(password);
    out.passwordHash = await hashPassword(password);
  }
  return out;
}

/** Codes are attempted; links (`email_link`, `email-link.ts`) are clicked, never attempted. */
function requireEmailCode(env: FapiEnv): void {
  if (env.req.fields.required("strategy", 64) !== "email_code")
    throw new ApiError("form_param_value_invalid", { param: "strategy" });
}

export const createSignUp: Endpoint<undefined> = async (env) => {
  const fields = await readFields(env);
  const strategy = env.req.fields.str("strategy", 64);
  if (strategy?.startsWith("oauth_")) return startOAuthSignUp(env, strategy, fields);
  const client = await env.ctx.ensure();
  const now = env.svc.now();
  const su: SignUpRecord = {
    id: newId.signUp(),
    instanceId: env.svc.instanceId,
    clientId: client.id,
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
    ...fields,
  };
  await env.svc.store.saveSignUp(su);
  await env.ctx.save({ ...client, signUpId: su.id });
  return maybeCompleteSignUp(env, su);
};

export const updateSignUp: Endpoint<SignUpRecord> = async (env, su) =>
  maybeCompleteSignUp(env, withFields(su, await readFields(env)));

export const prepareVerification: Endpoint<SignUpRecord> = async (env, su) => {
  if (env.req.fields.str("strategy", 64) === "email_link") return prepareSignUpLink(env, su);
  if (env.req.fields.str("strategy", 64) === "phone_code")
    return save(env, await preparePhoneVerification(env.svc, su));
  requireEmailCode(env);
  if (!su.email) throw new ApiError("form_param_missing", { param: "email_address" });
  if (su.emailVerified) throw new ApiError("verification_already_verified");
  const code = await issueCode(env.svc, su.email, "verifyEmail");
  return save(env, { ...su, code, emailLink: null, verificationStatus: "unverified" });
};

export const attemptVerification: Endpoint<SignUpRecord> = async (env, su) => {
  if (env.req.fields.str("strategy", 64) === "phone_code")
    return maybeCompleteSignUp(env, await attemptPhoneVerification(env.svc, su, env.req.fields.required("code", 32)));
  requireEmailCode(env);
  if (su.emailVerified) throw new ApiError("verification_already_verified");
  const code = env.req.fields.required("code", 32);
  if (checkCode(env.svc, su.code, code) === "incorrect") {
    await save(env, { ...su, code: { ...su.code!, attempts: su.code!.attempts + 1 } });
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  return maybeCompleteSignUp(env, { ...su, emailVerified: true, verificationStatus: "verified", code: null });
};

export const getSignUp: Endpoint<SignUpRecord> = async (_env, su) => ({ kind: "sign_up", record: su });
