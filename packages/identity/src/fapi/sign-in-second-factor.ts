/**
 * `prepare_second_factor` / `attempt_second_factor` of a sign-in in `needs_second_factor`
 * (TOTP or a backup code). A wrong code counts toward the account lockout and the sign-in's own
 * attempt cap; the route adds the per-IP and per-identifier windows.
 */
import { ApiError } from "../errors.js";
import { MAX_CODE_ATTEMPTS } from "../config.js";
import { parseSecondFactor, verifySecondFactor } from "../domain/second-factor.js";
import type { SignInRecord } from "../store/types.js";
import { finishSignIn } from "./sign-ins.js";
import type { Endpoint } from "./steps/pipeline.js";

/** TOTP and backup codes need no preparation; the answer is the sign-in as it is. */
export const prepareSecondFactor: Endpoint<SignInRecord> = async (env, si) => {
  parseSecondFactor(env.req.fields.required("strategy", 64));
  return { kind: "sign_in", record: si };
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
    await verifySecondFactor(env.svc, user, strategy, code);
  } catch (e) {
    const next = { ...si, secondFactor: { strategy, status: "failed" as const, attempts: attempts + 1 }, updatedAt: env.svc.now() };
    await env.svc.store.saveSignIn(next);
    throw e;
  }
  return finishSignIn(env, { ...si, secondFactor: { strategy, status: "unverified", attempts } }, user, strategy);
};
