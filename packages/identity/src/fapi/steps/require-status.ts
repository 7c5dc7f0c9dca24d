/** Status preconditions of the sign-in and sign-up state machines (`domain/sign-in.ts`, `domain/sign-up.ts`). */
import { ApiError, type ApiErrorCode } from "../../errors.js";
import type { SignInStatus, SignUpStatus } from "../../store/types.js";
import type { Check } from "./pipeline.js";

/** The statuses a step can require, and the error for a record in any other status. */
const notReady = {
  needs_identifier: "sign_in_not_ready",
  needs_first_factor: "sign_in_not_ready",
  needs_second_factor: "sign_in_not_ready",
  needs_new_password: "sign_in_not_ready",
  missing_requirements: "sign_up_not_ready",
} as const satisfies Record<Exclude<SignInStatus | SignUpStatus, "complete" | "abandoned">, ApiErrorCode>;

export function requireStatus(status: keyof typeof notReady): Check<{ status: string }> {
  const code = notReady[status];
  return {
    check: (_env, record) => {
      if (record.status !== status) throw new ApiError(code);
    },
  };
}

/** A finished flow answers a repeated attempt with `verification_already_verified`, as Clerk does. */
export const refuseIfComplete: Check<{ status: string }> = {
  check: (_env, record) => {
    if (record.status === "complete") throw new ApiError("verification_already_verified");
  },
};
