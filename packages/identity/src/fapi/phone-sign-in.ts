/**
 * `phone_code` as a sign-in factor: the first factor (a code texted to a verified number of the
 * user) and the second factor (to the number reserved for it). Attempts go through the common
 * code paths (`sign-ins.ts`, `sign-in-second-factor.ts`).
 */
import { ApiError } from "../errors.js";
import { issuePhoneCode, secondFactorPhone, verifiedPhones } from "../domain/phones.js";
import type { PhoneRecord, SignInRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";

async function save(env: FapiEnv, si: SignInRecord): Promise<FapiOutcome> {
  const next = { ...si, updatedAt: env.svc.now() };
  await env.svc.store.saveSignIn(next);
  return { kind: "sign_in", record: next };
}

/** The number asked for (`phone_number_id`), if it is one of `candidates`; else the first candidate. */
function pick(env: FapiEnv, candidates: PhoneRecord[]): PhoneRecord {
  const id = env.req.fields.str("phone_number_id", 64);
  const phone = id ? candidates.find((p) => p.id === id) : candidates[0];
  if (!phone)
    throw new ApiError(id ? "form_param_value_invalid" : "strategy_for_user_invalid", {
      param: id ? "phone_number_id" : "strategy",
    });
  return phone;
}

export async function preparePhoneSignIn(
  env: FapiEnv,
  si: SignInRecord,
  user: UserRecord | null,
): Promise<FapiOutcome> {
  if (!user) {
    // Unknown identifier under enumeration protection: behave the same, send nothing.
    const issued = await issuePhoneCode(env.svc, null, "sign_in");
    return save(env, {
      ...si,
      code: { strategy: "phone_code", emailId: null, phoneId: null, ...issued },
      emailLink: null,
      verification: { strategy: "phone_code", status: "unverified", attempts: 0, expireAt: issued.expireAt },
    });
  }
  const phone = pick(env, verifiedPhones(user));
  await env.svc.assertCanSignIn(user);
  const issued = await issuePhoneCode(env.svc, phone.phone, "sign_in");
  return save(env, {
    ...si,
    code: { strategy: "phone_code", emailId: null, phoneId: phone.id, ...issued },
    emailLink: null,
    verification: { strategy: "phone_code", status: "unverified", attempts: 0, expireAt: issued.expireAt },
  });
}

export async function preparePhoneSecondFactor(env: FapiEnv, si: SignInRecord, user: UserRecord): Promise<FapiOutcome> {
  const reserved = secondFactorPhone(user);
  const phone = pick(
    env,
    reserved
      ? [reserved, ...verifiedPhones(user).filter((p) => p.reservedForSecondFactor && p.id !== reserved.id)]
      : [],
  );
  await env.svc.assertCanSignIn(user);
  const issued = await issuePhoneCode(env.svc, phone.phone, "second_factor");
  return save(env, {
    ...si,
    secondFactor: {
      strategy: "phone_code",
      status: "unverified",
      attempts: si.secondFactor?.attempts ?? 0,
      code: issued,
    },
  });
}
