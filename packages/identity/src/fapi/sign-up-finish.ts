/**
 * The end of every sign-up path (codes, links, phone, OAuth's transfer): once nothing is missing
 * or unverified, the user is created and signed in; and saving a sign-up between steps.
 */
import { createUserFromSignUp, readyToComplete } from "../domain/sign-up.js";
import type { SignUpRecord } from "../store/types.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";

export async function saveSignUp(env: FapiEnv, su: SignUpRecord): Promise<FapiOutcome> {
  const next = { ...su, updatedAt: env.svc.now() };
  await env.svc.store.saveSignUp(next);
  return { kind: "sign_up", record: next };
}

/** When nothing is missing or unverified: create the user and sign them in. */
export async function maybeCompleteSignUp(env: FapiEnv, su: SignUpRecord): Promise<FapiOutcome> {
  if (!readyToComplete(su)) return saveSignUp(env, su);
  const user = await createUserFromSignUp(env.svc, su);
  const client = await env.ctx.ensure();
  const session = await env.svc.createSession(client.id, user);
  await env.ctx.rotate();
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id, signUpId: su.id });
  env.svc.logger.info("sign-up complete", { user_id: user.id });
  return saveSignUp(env, {
    ...su,
    status: "complete",
    createdUserId: user.id,
    createdSessionId: session.id,
    passwordHash: null,
    code: null,
  });
}
