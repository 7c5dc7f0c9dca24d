/**
 * `/v1/me` basics for the signed-in user of the current client: read, update names/username/
 * unsafe metadata (deep merge, null deletes), change password, delete self.
 */
import { ApiError } from "../errors.js";
import { parseId } from "../ids.js";
import { verifyPassword } from "../crypto/passwords.js";
import { updateUser } from "../domain/users.js";
import { mergeMetadata } from "../domain/validate.js";
import type { ActiveSession } from "../domain/service.js";
import type { FapiEnv, FapiHandler } from "./outcome.js";

/** The session named by `_clerk_session_id`, or the client's last active one. */
async function current(env: FapiEnv): Promise<ActiveSession> {
  const client = env.ctx.client;
  const wanted = env.req.query.get("_clerk_session_id");
  const id = wanted ? parseId.session(wanted) : client?.lastActiveSessionId;
  const active = id ? await env.svc.activeSession(id) : null;
  if (!client || !active || active.session.clientId !== client.id) throw new ApiError("authentication_invalid");
  return active;
}

export const getMe: FapiHandler = async (env) => ({ kind: "user", record: (await current(env)).user });

export const updateMe: FapiHandler = async (env) => {
  const { user } = await current(env);
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

export const updateMyMetadata: FapiHandler = async (env) => {
  const { user } = await current(env);
  const patch = env.req.fields.object("unsafe_metadata") ?? {};
  return { kind: "user", record: await updateUser(env.svc, user, { unsafeMetadata: mergeMetadata(user.unsafeMetadata, patch) }) };
};

export const changeMyPassword: FapiHandler = async (env) => {
  const { user, session } = await current(env);
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

export const deleteMe: FapiHandler = async (env) => {
  const { user } = await current(env);
  await env.svc.revokeUserSessions(user.id);
  await env.svc.store.deleteUser(env.svc.instanceId, user.id);
  return { kind: "bare", body: { response: { object: "user", id: user.id, deleted: true }, client: null } };
};
