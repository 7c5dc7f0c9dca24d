/**
 * Backend API second-factor resets (`@clerk/backend`'s `users.disableUserMFA`, `deleteUserTOTP`,
 * `deleteUserBackupCodes`): how an operator lets back in a user who lost their authenticator.
 * Each answers `{user_id}`, as Clerk's does.
 */
import { ApiError } from "../errors.js";
import { parseId, type UserId } from "../ids.js";
import { ok } from "../http/context.js";
import type { IdentityService } from "../domain/service.js";
import type { BapiHandler } from "./users.js";

async function userId(svc: IdentityService, raw: string | undefined): Promise<UserId> {
  const id = parseId.user(raw ?? "");
  if (!id || !(await svc.store.getUser(svc.instanceId, id)))
    throw new ApiError("resource_not_found", { param: "user_id" });
  return id;
}

export const deleteUserTotp: BapiHandler = async (svc, _req, p) => {
  const id = await userId(svc, p.id);
  await svc.store.deleteTotp(svc.instanceId, id);
  svc.logger.info("totp removed by the backend api", { user_id: id });
  return ok({ user_id: id });
};

export const deleteUserBackupCodes: BapiHandler = async (svc, _req, p) => {
  const id = await userId(svc, p.id);
  await svc.store.deleteBackupCodes(svc.instanceId, id);
  return ok({ user_id: id });
};

/** Every second factor at once: TOTP, backup codes, and phone numbers stop being reserved for it. */
export const disableUserMfa: BapiHandler = async (svc, _req, p) => {
  const id = await userId(svc, p.id);
  await svc.store.deleteTotp(svc.instanceId, id);
  await svc.store.deleteBackupCodes(svc.instanceId, id);
  const user = await svc.store.getUser(svc.instanceId, id);
  for (const phone of user?.phones ?? [])
    if (phone.reservedForSecondFactor)
      await svc.store.savePhone({
        ...phone,
        reservedForSecondFactor: false,
        defaultSecondFactor: false,
        updatedAt: svc.now(),
      });
  svc.logger.info("second factors disabled by the backend api", { user_id: id });
  return ok({ user_id: id });
};
