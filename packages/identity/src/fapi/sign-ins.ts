/**
 * Sign-in state machine (clerk.md §3.5):
 *   needs_identifier → needs_first_factor → complete
 *                                         ↘ needs_new_password (after reset_password_email_code) → complete
 * First factors: password, email_code, reset_password_email_code. Each attempt is rate-limited
 * per IP and per identifier and counts toward the account lockout when it fails.
 */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../crypto/passwords.js";
import { checkPasswordRules } from "../crypto/password-rules.js";
import { checkCode, issueCode } from "../domain/codes.js";
import { checkUsername, normalizeEmail } from "../domain/validate.js";
import type { SignInRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiHandler, FapiOutcome } from "./outcome.js";

const limitIp = (env: FapiEnv) => env.svc.limits.ip(env.req.ip);
const limitIdentifier = (env: FapiEnv, identifier: string | null) =>
  identifier && env.svc.limits.identifier(identifier);

async function findUser(env: FapiEnv, identifier: string): Promise<UserRecord | null> {
  const { svc } = env;
  if (identifier.includes("@")) return svc.store.findUserByEmail(svc.instanceId, normalizeEmail(identifier, "identifier"));
  const username = checkUsername(identifier, "identifier");
  return username ? svc.store.findUserByUsername(svc.instanceId, username) : null;
}

async function loadOwn(env: FapiEnv, id: string): Promise<SignInRecord> {
  const sid = parseId.signIn(id);
  const client = env.ctx.client;
  const si = sid && client ? await env.svc.store.getSignIn(env.svc.instanceId, sid) : null;
  if (!si || si.clientId !== client?.id) throw new ApiError("resource_not_found", { param: "sign_in_id" });
  return si;
}

async function save(env: FapiEnv, si: SignInRecord): Promise<FapiOutcome> {
  const next = { ...si, updatedAt: env.svc.now() };
  await env.svc.store.saveSignIn(next);
  return { kind: "sign_in", record: next };
}

/** Finishes the sign-in: a new session, a rotated client token, the client pointing at both. */
async function complete(env: FapiEnv, si: SignInRecord, user: UserRecord, strategy: string): Promise<FapiOutcome> {
  const client = await env.ctx.ensure();
  const session = await env.svc.createSession(client.id, user);
  await env.ctx.rotate();
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id, signInId: si.id });
  env.svc.logger.info("sign-in complete", { user_id: user.id, strategy });
  return save(env, {
    ...si,
    status: "complete",
    createdSessionId: session.id,
    code: null,
    verification: { strategy, status: "verified", attempts: si.verification?.attempts ?? 1, expireAt: null },
  });
}

async function userFor(env: FapiEnv, si: SignInRecord): Promise<UserRecord | null> {
  return si.userId ? env.svc.store.getUser(env.svc.instanceId, si.userId) : null;
}

async function attemptPassword(env: FapiEnv, si: SignInRecord, user: UserRecord | null, password: string): Promise<FapiOutcome> {
  if (!user || !user.passwordHash) {
    await burnPasswordCheck(password);
    if (!user && !env.svc.security.enumerationProtection) throw new ApiError("form_identifier_not_found", { param: "identifier" });
    throw new ApiError(user ? "strategy_for_user_invalid" : "form_password_incorrect", { param: "password" });
  }
  await env.svc.assertCanSignIn(user);
  if (!(await verifyPassword(user.passwordHash, password))) {
    await env.svc.recordFailure(user);
    throw new ApiError("form_password_incorrect", { param: "password" });
  }
  await env.svc.recordSuccess(user);
  return complete(env, si, user, "password");
}

export const createSignIn: FapiHandler = async (env) => {
  limitIp(env);
  const f = env.req.fields;
  const identifier = f.str("identifier", 320)?.trim() || null;
  const password = f.str("password", 1024);
  const strategy = f.str("strategy", 64);
  if (strategy && !["password", "email_code", "reset_password_email_code"].includes(strategy))
    throw new ApiError("form_param_value_invalid", { param: "strategy" });
  const user = identifier ? await findUser(env, identifier) : null;
  if (identifier && !user && !env.svc.security.enumerationProtection) {
    if (password) await burnPasswordCheck(password);
    throw new ApiError("form_identifier_not_found", { param: "identifier" });
  }
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
    limitIdentifier(env, si.identifier);
    return attemptPassword(env, si, user, password);
  }
  return { kind: "sign_in", record: si };
};

export const prepareFirstFactor: FapiHandler = async (env, params) => {
  limitIp(env);
  const si = await loadOwn(env, params.id!);
  if (si.status !== "needs_first_factor") throw new ApiError("sign_in_not_ready");
  limitIdentifier(env, si.identifier);
  const strategy = env.req.fields.required("strategy", 64);
  if (strategy === "password") return { kind: "sign_in", record: si };
  if (strategy !== "email_code" && strategy !== "reset_password_email_code") throw new ApiError("strategy_for_user_invalid", { param: "strategy" });
  const user = await userFor(env, si);
  const emailId = env.req.fields.str("email_address_id", 64);
  const email = user ? (emailId ? user.emails.find((e) => e.id === emailId) : (user.emails.find((e) => e.id === user.primaryEmailId) ?? user.emails[0])) : null;
  if (user && !email) throw new ApiError("form_param_value_invalid", { param: "email_address_id" });
  if (user) await env.svc.assertCanSignIn(user);
  // Unknown identifier under enumeration protection: behave the same, send nothing.
  const issued = email
    ? await issueCode(env.svc, email.email, strategy === "email_code" ? "signInCode" : "resetPassword")
    : { codeHash: "", expireAt: env.svc.now() + 600_000, attempts: 0 };
  return save(env, {
    ...si,
    code: { strategy, emailId: email?.id ?? ("idn_unknown" as never), ...issued },
    verification: { strategy, status: "unverified", attempts: 0, expireAt: issued.expireAt },
  });
};

export const attemptFirstFactor: FapiHandler = async (env, params) => {
  limitIp(env);
  const si = await loadOwn(env, params.id!);
  if (si.status === "complete") throw new ApiError("verification_already_verified");
  if (si.status !== "needs_first_factor") throw new ApiError("sign_in_not_ready");
  limitIdentifier(env, si.identifier);
  const f = env.req.fields;
  const strategy = f.required("strategy", 64);
  const user = await userFor(env, si);
  if (strategy === "password") return attemptPassword(env, si, user, f.required("password", 1024));
  if (strategy !== "email_code" && strategy !== "reset_password_email_code") throw new ApiError("strategy_for_user_invalid", { param: "strategy" });
  const code = f.required("code", 32);
  if (!si.code || si.code.strategy !== strategy) throw new ApiError("verification_missing", { param: "code" });
  if (user) await env.svc.assertCanSignIn(user);
  const result = user ? checkCode(env.svc, si.code, code) : "incorrect";
  if (result === "incorrect") {
    const attempts = si.code.attempts + 1;
    await save(env, { ...si, code: { ...si.code, attempts }, verification: { ...si.verification!, attempts, status: "unverified" } });
    if (user) await env.svc.recordFailure(user);
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  await env.svc.recordSuccess(user!);
  if (strategy === "email_code") return complete(env, si, user!, "email_code");
  return save(env, { ...si, status: "needs_new_password", code: null, verification: { strategy, status: "verified", attempts: si.code.attempts + 1, expireAt: null } });
};

export const resetPassword: FapiHandler = async (env, params) => {
  limitIp(env);
  const si = await loadOwn(env, params.id!);
  if (si.status !== "needs_new_password") throw new ApiError("sign_in_not_ready");
  const f = env.req.fields;
  const password = f.required("password", 1024);
  checkPasswordRules(password);
  const signOutOthers = f.bool("sign_out_of_other_sessions") ?? false;
  const user = await userFor(env, si);
  if (!user) throw new ApiError("resource_not_found", { param: "sign_in_id" });
  const now = env.svc.now();
  const updated = { ...user, passwordHash: await hashPassword(password), passwordUpdatedAt: now, updatedAt: now };
  await env.svc.store.saveUser(updated);
  if (signOutOthers) await env.svc.revokeUserSessions(user.id);
  return complete(env, si, updated, "reset_password_email_code");
};

export const getSignIn: FapiHandler = async (env, params) => ({ kind: "sign_in", record: await loadOwn(env, params.id!) });
