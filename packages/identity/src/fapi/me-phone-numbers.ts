/**
 * `/v1/me/phone_numbers`: what clerk-js's `user.createPhoneNumber()` and the `PhoneNumber`
 * resource (`prepareVerification`, `attemptVerification`, `setReservedForSecondFactor`,
 * `makeDefaultSecondFactor`, `destroy`) call. Only the user's own numbers are reachable.
 */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import { checkCode } from "../domain/codes.js";
import { issuePhoneCode, normalizeE164 } from "../domain/phones.js";
import type { ActiveSession } from "../domain/service.js";
import type { PhoneRecord } from "../store/types.js";
import { phoneJSON } from "./phone-json.js";
import type { FapiEnv } from "./outcome.js";
import type { Endpoint } from "./steps/pipeline.js";

const ok = (p: PhoneRecord) => ({ kind: "resource" as const, body: phoneJSON(p) });

async function ownPhone(env: FapiEnv, a: ActiveSession, params: Record<string, string>): Promise<PhoneRecord> {
  const id = parseId.phone(params.phone_id ?? "");
  const phone = id ? await env.svc.store.getPhone(env.svc.instanceId, id) : null;
  if (!phone || phone.userId !== a.user.id) throw new ApiError("resource_not_found", { param: "phone_number_id" });
  return phone;
}

async function save(env: FapiEnv, p: PhoneRecord): Promise<PhoneRecord> {
  const next = { ...p, updatedAt: env.svc.now() };
  if (!(await env.svc.store.savePhone(next))) throw new ApiError("form_identifier_exists", { param: "phone_number" });
  return next;
}

export const createMyPhone: Endpoint<ActiveSession> = async (env, a) => {
  const phone = normalizeE164(env.req.fields.required("phone_number", 40));
  if ((a.user.phones ?? []).length >= 10)
    throw new ApiError("form_param_value_invalid", {
      param: "phone_number",
      detail: "A user can have at most 10 phone numbers.",
    });
  const now = env.svc.now();
  const row: PhoneRecord = {
    id: newId.phone(),
    instanceId: env.svc.instanceId,
    userId: a.user.id,
    phone,
    verified: false,
    reservedForSecondFactor: false,
    defaultSecondFactor: false,
    code: null,
    createdAt: now,
    updatedAt: now,
  };
  return ok(await save(env, row));
};

export const prepareMyPhone: Endpoint<ActiveSession> = async (env, a, params) => {
  const phone = await ownPhone(env, a, params);
  if (env.req.fields.str("strategy", 64) !== undefined && env.req.fields.str("strategy", 64) !== "phone_code")
    throw new ApiError("form_param_value_invalid", { param: "strategy" });
  if (phone.verified) throw new ApiError("verification_already_verified");
  await env.svc.limits.identifier(phone.phone);
  return ok(await save(env, { ...phone, code: await issuePhoneCode(env.svc, phone.phone, "verify") }));
};

export const attemptMyPhone: Endpoint<ActiveSession> = async (env, a, params) => {
  const phone = await ownPhone(env, a, params);
  const code = env.req.fields.required("code", 32);
  if (phone.verified) throw new ApiError("verification_already_verified");
  await env.svc.limits.identifier(phone.phone);
  if (checkCode(env.svc, phone.code, code) === "incorrect") {
    await save(env, { ...phone, code: { ...phone.code!, attempts: phone.code!.attempts + 1 } });
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  return ok(await save(env, { ...phone, verified: true, code: null }));
};

export const updateMyPhone: Endpoint<ActiveSession> = async (env, a, params) => {
  const phone = await ownPhone(env, a, params);
  const f = env.req.fields;
  const reserved = f.bool("reserved_for_second_factor");
  const makeDefault = f.bool("default_second_factor");
  if ((reserved || makeDefault) && !phone.verified)
    throw new ApiError("form_param_value_invalid", {
      param: "reserved_for_second_factor",
      detail: "Verify the number first.",
    });
  let next = { ...phone, ...(reserved !== undefined ? { reservedForSecondFactor: reserved } : {}) };
  if (makeDefault) {
    for (const other of a.user.phones ?? [])
      if (other.id !== phone.id && other.defaultSecondFactor) await save(env, { ...other, defaultSecondFactor: false });
    next = { ...next, reservedForSecondFactor: true, defaultSecondFactor: true };
  }
  if (!next.reservedForSecondFactor) next = { ...next, defaultSecondFactor: false };
  return ok(await save(env, next));
};

export const deleteMyPhone: Endpoint<ActiveSession> = async (env, a, params) => {
  const phone = await ownPhone(env, a, params);
  await env.svc.store.deletePhone(env.svc.instanceId, phone.id);
  return { kind: "resource" as const, body: { object: "phone_number", id: phone.id, deleted: true } };
};
