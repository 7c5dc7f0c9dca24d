/**
 * `/v1/me/totp` and `/v1/me/backup_codes`: what clerk-js's `user.createTOTP()`, `verifyTOTP`,
 * `disableTOTP` and `createBackupCode()` call. Rules and storage are in `domain/second-factor.ts`.
 */
import { ApiError } from "../errors.js";
import type { ActiveSession } from "../domain/service.js";
import { checkTotp, createTotp, issueBackupCodes, totpUri } from "../domain/second-factor.js";
import type { TotpRecord, UserRecord } from "../store/types.js";
import type { IdentityService } from "../domain/service.js";
import type { Endpoint } from "./steps/pipeline.js";

function totpJSON(t: TotpRecord, secret: { secret: string; uri: string } | null, backupCodes: string[] | null) {
  return {
    object: "totp",
    id: t.id,
    secret: secret?.secret ?? null,
    uri: secret?.uri ?? null,
    verified: t.verified,
    backup_codes: backupCodes,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/** Per-user window on code attempts here (a signed-in user is not locked out by their own typos). */
const limitUser = (svc: IdentityService, user: UserRecord) => svc.limits.identifier(`2fa:${user.id}`);

export const createMyTotp: Endpoint<ActiveSession> = async (env, { user }) => {
  const t = await createTotp(env.svc, user);
  return { kind: "resource", body: totpJSON(t, { secret: t.secret, uri: totpUri(env.svc, user, t) }, null) };
};

export const verifyMyTotp: Endpoint<ActiveSession> = async (env, { user }) => {
  const code = env.req.fields.required("code", 32);
  await limitUser(env.svc, user);
  const t = await env.svc.store.getTotp(env.svc.instanceId, user.id);
  if (!t) throw new ApiError("verification_missing", { param: "code" });
  if (t.verified) throw new ApiError("verification_already_verified", { param: "code" });
  if (!(await checkTotp(env.svc, user, t, code))) throw new ApiError("form_code_incorrect", { param: "code" });
  const verified = {
    ...t,
    verified: true,
    lastUsedStep: (await env.svc.store.getTotp(env.svc.instanceId, user.id))?.lastUsedStep ?? null,
    updatedAt: env.svc.now(),
  };
  await env.svc.store.saveTotp(verified);
  const codes = await issueBackupCodes(env.svc, user);
  env.svc.logger.info("totp enabled", { user_id: user.id });
  return { kind: "resource", body: totpJSON(verified, null, codes) };
};

export const disableMyTotp: Endpoint<ActiveSession> = async (env, { user }) => {
  const t = await env.svc.store.getTotp(env.svc.instanceId, user.id);
  if (!t) throw new ApiError("resource_not_found", { param: "totp" });
  await env.svc.store.deleteTotp(env.svc.instanceId, user.id);
  // Backup codes only stand in for a second factor; with none left they go too.
  await env.svc.store.deleteBackupCodes(env.svc.instanceId, user.id);
  env.svc.logger.info("totp disabled", { user_id: user.id });
  return { kind: "resource", body: { object: "totp", id: t.id, deleted: true } };
};

export const createMyBackupCodes: Endpoint<ActiveSession> = async (env, { user }) => {
  if (!user.secondFactors?.totp)
    throw new ApiError("form_param_value_invalid", { detail: "Set up a second factor before backup codes." });
  const codes = await issueBackupCodes(env.svc, user);
  const now = env.svc.now();
  return {
    kind: "resource",
    body: { object: "backup_code", id: `bcode_${user.id.slice(5)}`, codes, created_at: now, updated_at: now },
  };
};
