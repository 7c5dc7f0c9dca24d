/**
 * `/v1/me` basics for the signed-in user of the current client: read, update names/username/
 * unsafe metadata, change password, delete self. The route's step loads the current session
 * (`steps/load-own.ts`).
 */
import { ApiError } from "../errors.js";
import { verifyPassword } from "../crypto/passwords.js";
import { updateUser } from "../domain/users.js";
import type { ActiveSession } from "../domain/service.js";
import { userDeletedEvent } from "../webhooks/events.js";
import type { Endpoint } from "./steps/pipeline.js";

export const getMe: Endpoint<ActiveSession> = async (_env, { user }) => ({ kind: "user", record: user });

export const updateMe: Endpoint<ActiveSession> = async (env, { user }) => {
  const f = env.req.fields;
  const patch = {
    ...(f.has("first_name") ? { firstName: f.nullableStr("first_name", 400) ?? null } : {}),
    ...(f.has("last_name") ? { lastName: f.nullableStr("last_name", 400) ?? null } : {}),
    ...(f.has("username") ? { username: f.nullableStr("username", 200) ?? null } : {}),
    ...(f.has("unsafe_metadata") ? { unsafeMetadata: f.object("unsafe_metadata") ?? {} } : {}),
    ...(f.has("primary_email_address_id") ? { primaryEmailAddressId: f.required("primary_email_address_id", 64) } : {}),
  };
  return { kind: "user", record: await updateUser(env.svc, user, patch) };
};

export const changeMyPassword: Endpoint<ActiveSession> = async (env, { user, session }) => {
  const f = env.req.fields;
  const next = f.required("new_password", 1024);
  if (user.passwordHash) {
    await env.svc.assertCanSignIn(user);
    if (!(await verifyPassword(user.passwordHash, f.required("current_password", 1024)))) {
      await env.svc.recordFailure(user);
      throw new ApiError("form_password_incorrect", { param: "current_password" });
    }
  }
  const updated = await updateUser(env.svc, user, { password: next });
  if (f.bool("sign_out_of_other_sessions")) await env.svc.revokeUserSessions(user.id, session.id);
  return { kind: "user", record: updated };
};

export const deleteMe: Endpoint<ActiveSession> = async (env, { user }) => {
  await env.svc.revokeUserSessions(user.id);
  await env.svc.store.deleteUser(env.svc.instanceId, user.id, [userDeletedEvent(env.svc, user)]);
  return { kind: "bare", body: { response: { object: "user", id: user.id, deleted: true }, client: null } };
};
