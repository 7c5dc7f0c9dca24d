/**
 * `prepare_second_factor` / `attempt_second_factor` of a sign-in in `needs_second_factor`
 * (TOTP or a backup code). A wrong code counts toward the account lockout and the sign-in's own
 * attempt cap; the route adds the per-IP and per-identifier windows.
 */
import { ApiError } from "../errors.js";
import { MAX_CODE_ATTEMPTS } from "../config.js";
import { parseSecondFactor, verifySecondFactor } from "../domain/second-factor.js";
import type { SignInRecord } from "../store/types.js";
import { finishSignIn } from "./sign-in-finish.js";
import { preparePhoneSecondFactor } from "./phone-sign-in.js";
import type { Endpoint } from "./steps/pipeline.js";

/** `phone_code` texts a code; TOTP and backup codes need no preparation (the answer is the sign-in as it is). */
export const prepareSecondFactor: Endpoint<SignInRecord> = async (env, si) => {
  const strategy = parseSecondFactor(env.req.fields.required("strategy", 64));
  if (strategy !== "phone_code") return { kind: "sign_in", record: si };
  const user = si.userId ? await env.svc.store.getUser(env.svc.instanceId, si.userId) : null;
  if (!user) throw new ApiError("resource_not_found", { param: "sign_in_id" });
  return preparePhoneSecondFactor(env, si, user);
};

export const attemptSecondFactor: Endpoint<SignInRecord> = async (env, si) => {
  const f = env.req.fields;
  const strategy = parseSecondFactor(f.required("strategy", 64));
  const code = f.required("code", 32);
  const user = si.userId ? await env.svc.store.getUser(env.svc.instanceId, si.userId) : null;
  if (!user) throw new ApiError("resource_not_found", { param: "sign_in_id" });
  const attempts = si.secondFactor?.attempts ?? 0;
  if (attempts >= MAX_CODE_ATTEMPTS) throw new ApiError("verification_failed", { param: "code" });
  try {
    await verifySecondFactor(env.svc, user, strategy, code, si.secondFactor?.code ?? null);
  } catch (e) {
    const sms = si.secondFactor?.code ? { ...si.secondFactor.code, attempts: si.secondFactor.code.attempts + 1 } : null;
    const next = {
      ...si,
      secondFactor: { strategy, status: "failed" as const, attempts: attempts + 1, code: sms },
      updatedAt: env.svc.now(),
    };
    await env.svc.store.saveSignIn(next);
    throw e;
  }
  return finishSignIn(
    env,
    { ...si, secondFactor: { strategy, status: "unverified", attempts, code: null } },
    user,
    strategy,
  );
};
