/**
 * A sign-up's phone number, verified by `phone_code` (`prepare_verification` /
 * `attempt_verification` with that strategy). Same code rules as e-mail codes (`codes.ts`).
 */
import { ApiError } from "../errors.js";
import { checkCode } from "./codes.js";
import { issuePhoneCode } from "./phones.js";
import type { SignUpRecord } from "../store/types.js";
import type { IdentityService } from "./service.js";

export async function preparePhoneVerification(svc: IdentityService, su: SignUpRecord): Promise<SignUpRecord> {
  if (!su.phone) throw new ApiError("form_param_missing", { param: "phone_number" });
  if (su.phoneVerified) throw new ApiError("verification_already_verified");
  await svc.limits.signUpEmail(su.phone);
  return { ...su, phoneCode: await issuePhoneCode(svc, su.phone, "verify") };
}

/** The sign-up with its phone verified; a wrong code is stored as one more attempt and answered `form_code_incorrect`. */
export async function attemptPhoneVerification(
  svc: IdentityService,
  su: SignUpRecord,
  code: string,
): Promise<SignUpRecord> {
  if (su.phoneVerified) throw new ApiError("verification_already_verified");
  await svc.limits.signUpEmail(su.phone ?? "");
  if (checkCode(svc, su.phoneCode ?? null, code) === "incorrect") {
    await svc.store.saveSignUp({
      ...su,
      phoneCode: { ...su.phoneCode!, attempts: su.phoneCode!.attempts + 1 },
      updatedAt: svc.now(),
    });
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  return { ...su, phoneVerified: true, phoneCode: null };
}
