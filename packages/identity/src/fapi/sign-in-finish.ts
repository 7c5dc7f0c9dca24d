/**
 * The end of every sign-in strategy (password, codes, links, OAuth, passkeys): a new session, a
 * rotated client token, the client pointing at both; and saving a sign-in between steps.
 */
import type { SignInRecord, UserRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";

export async function saveSignIn(env: FapiEnv, si: SignInRecord): Promise<FapiOutcome> {
  const next = { ...si, updatedAt: env.svc.now() };
  await env.svc.store.saveSignIn(next);
  return { kind: "sign_in", record: next };
}

/** Finishes the sign-in: a new session, a rotated client token, the client pointing at both. */
export async function finishSignIn(
  env: FapiEnv,
  si: SignInRecord,
  user: UserRecord,
  strategy: string,
): Promise<FapiOutcome> {
  const client = await env.ctx.ensure();
  const session = await env.svc.createSession(client.id, user);
  await env.ctx.rotate();
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id, signInId: si.id });
  env.svc.logger.info("sign-in complete", { user_id: user.id, strategy });
  const done = { ...si, status: "complete" as const, createdSessionId: session.id };
  // `strategy` verified the second factor when the first was already done, else the first.
  return saveSignIn(
    env,
    si.status === "needs_second_factor"
      ? { ...done, secondFactor: { strategy, status: "verified", attempts: (si.secondFactor?.attempts ?? 0) + 1 } }
      : {
          ...done,
          code: null,
          verification: { strategy, status: "verified", attempts: si.verification?.attempts ?? 1, expireAt: null },
        },
  );
}
