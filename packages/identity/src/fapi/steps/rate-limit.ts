/** Rate-limit steps (the rules and key names live in `security/attempt-limits.ts`). */
import type { Check, Guard } from "./pipeline.js";

/** Per client IP, on every sign-in and sign-up step. */
export const rateLimitIp: Guard = { guard: (env) => env.svc.limits.ip(env.req.ip) };

/** Per sign-in identifier, once the sign-in names one. */
export const rateLimitIdentifier: Check<{ identifier: string | null }> = {
  check: async (env, signIn) => {
    if (signIn.identifier) await env.svc.limits.identifier(signIn.identifier);
  },
};

/** Per sign-up e-mail address, on sending and trying verification codes. */
export const rateLimitSignUpEmail: Check<{ email: string | null }> = {
  check: async (env, signUp) => {
    if (signUp.email) await env.svc.limits.signUpEmail(signUp.email);
  },
};
