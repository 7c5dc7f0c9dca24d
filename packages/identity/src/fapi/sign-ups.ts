/**
 * Sign-up state machine: `missing_requirements` until an e-mail address and a password are given
 * and the address is verified by an e-mail code, then `complete` (user and session created).
 * Every field is validated before the attempt is stored; the password is hashed at once and never
 * kept in clear.
 */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import { checkPasswordRules } from "../crypto/password-rules.js";
import { hashPassword } from "../crypto/passwords.js";
import { checkCode, issueCode } from "../domain/codes.js";
import { createUser } from "../domain/users.js";
import { checkMetadata, checkName, checkUsername, normalizeEmail } from "../domain/validate.js";
import type { SignUpRecord } from "../store/types.js";
import type { FapiEnv, FapiHandler, FapiOutcome } from "./outcome.js";

const limitIp = (env: FapiEnv) => env.svc.limits.ip(env.req.ip);

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

async function loadOwn(env: FapiEnv, id: string): Promise<SignUpRecord> {
  const sid = parseId.signUp(id);
  const client = env.ctx.client;
  const su = sid && client ? await env.svc.store.getSignUp(env.svc.instanceId, sid) : null;
  if (!su || su.clientId !== client?.id) throw new ApiError("resource_not_found", { param: "sign_up_id" });
  return su;
}

async function save(env: FapiEnv, su: SignUpRecord): Promise<FapiOutcome> {
  const next = { ...su, updatedAt: env.svc.now() };
  await env.svc.store.saveSignUp(next);
  return { kind: "sign_up", record: next };
}

/** When nothing is missing or unverified: create the user and sign them in. */
async function maybeComplete(env: FapiEnv, su: SignUpRecord): Promise<FapiOutcome> {
  if (!su.email || !su.passwordHash || !su.emailVerified || su.status !== "missing_requirements") return save(env, su);
  const user = await createUser(env.svc, {
    emailAddresses: [su.email],
    emailVerified: true,
    passwordHash: su.passwordHash,
    firstName: su.firstName,
    lastName: su.lastName,
    username: su.username,
    unsafeMetadata: su.unsafeMetadata,
  });
  const client = await env.ctx.ensure();
  const session = await env.svc.createSession(client.id, user);
  await env.ctx.rotate();
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id, signUpId: su.id });
  env.svc.logger.info("sign-up complete", { user_id: user.id });
  return save(env, { ...su, status: "complete", createdUserId: user.id, createdSessionId: session.id, passwordHash: null, code: null });
}

export const createSignUp: FapiHandler = async (env) => {
  limitIp(env);
  const fields = await readFields(env);
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
  return maybeComplete(env, su);
};

export const updateSignUp: FapiHandler = async (env, params) => {
  limitIp(env);
  const su = await loadOwn(env, params.id!);
  if (su.status !== "missing_requirements") throw new ApiError("sign_up_not_ready");
  const fields = await readFields(env);
  const emailChanged = fields.email !== undefined && fields.email !== su.email;
  return maybeComplete(env, { ...su, ...fields, ...(emailChanged ? { emailVerified: false, code: null, verificationStatus: null } : {}) });
};

export const prepareVerification: FapiHandler = async (env, params) => {
  limitIp(env);
  const su = await loadOwn(env, params.id!);
  if (su.status !== "missing_requirements") throw new ApiError("sign_up_not_ready");
  const strategy = env.req.fields.required("strategy", 64);
  if (strategy !== "email_code") throw new ApiError("form_param_value_invalid", { param: "strategy" });
  if (!su.email) throw new ApiError("form_param_missing", { param: "email_address" });
  if (su.emailVerified) throw new ApiError("verification_already_verified");
  env.svc.limits.signUpEmail(su.email);
  const code = await issueCode(env.svc, su.email, "verifyEmail");
  return save(env, { ...su, code, verificationStatus: "unverified" });
};

export const attemptVerification: FapiHandler = async (env, params) => {
  limitIp(env);
  const su = await loadOwn(env, params.id!);
  if (su.status !== "missing_requirements") throw new ApiError("sign_up_not_ready");
  const f = env.req.fields;
  const strategy = f.required("strategy", 64);
  if (strategy !== "email_code") throw new ApiError("form_param_value_invalid", { param: "strategy" });
  if (su.emailVerified) throw new ApiError("verification_already_verified");
  if (su.email) env.svc.limits.signUpEmail(su.email);
  const code = f.required("code", 32);
  if (checkCode(env.svc, su.code, code) === "incorrect") {
    await save(env, { ...su, code: { ...su.code!, attempts: su.code!.attempts + 1 } });
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  return maybeComplete(env, { ...su, emailVerified: true, verificationStatus: "verified", code: null });
};

export const getSignUp: FapiHandler = async (env, params) => ({ kind: "sign_up", record: await loadOwn(env, params.id!) });
