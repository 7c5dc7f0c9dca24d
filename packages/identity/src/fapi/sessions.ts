/**
 * Sessions of the current client: touch, end, remove, token mints (session token and templates),
 * and sign-out. A session that is not active, expired, or whose user is banned or gone gets no
 * token (401 `session_not_active`; clerk-js then re-reads the client and signs out).
 */
import { ApiError } from "../errors.js";
import { parseId } from "../ids.js";
import type { ActiveSession } from "../domain/service.js";
import type { SessionRecord } from "../store/types.js";
import type { FapiEnv, FapiHandler } from "./outcome.js";

async function ownSession(env: FapiEnv, id: string): Promise<SessionRecord> {
  const sid = parseId.session(id);
  const client = env.ctx.client;
  const s = sid && client ? await env.svc.store.getSession(env.svc.instanceId, sid) : null;
  if (!s || s.clientId !== client?.id) throw new ApiError("resource_not_found", { param: "session_id" });
  return s;
}

async function ownActive(env: FapiEnv, id: string): Promise<ActiveSession> {
  const s = await ownSession(env, id);
  const active = await env.svc.activeSession(s.id);
  if (!active) throw new ApiError("session_not_active");
  return active;
}

export const touchSession: FapiHandler = async (env, params) => {
  const { session } = await ownActive(env, params.id!);
  const now = env.svc.now();
  const next = { ...session, lastActiveAt: now, updatedAt: now };
  await env.svc.store.saveSession(next);
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id });
  return { kind: "session", record: next };
};

export const endSession: FapiHandler = async (env, params) => {
  const s = await ownSession(env, params.id!);
  return { kind: "session", record: s.status === "active" ? await env.svc.setSessionStatus(s, "ended") : s };
};

export const removeSession: FapiHandler = async (env, params) => {
  const s = await ownSession(env, params.id!);
  return { kind: "session", record: s.status === "active" ? await env.svc.setSessionStatus(s, "removed") : s };
};

export const getSession: FapiHandler = async (env, params) => ({ kind: "session", record: await ownSession(env, params.id!) });

export const mintSessionToken: FapiHandler = async (env, params) => {
  const active = await ownActive(env, params.id!);
  return { kind: "token", jwt: await env.svc.mintSessionToken(active, { origin: env.req.origin }) };
};

export const mintTemplateToken: FapiHandler = async (env, params) => {
  const active = await ownActive(env, params.id!);
  return { kind: "token", jwt: await env.svc.mintTemplateToken(active, params.template!, { origin: env.req.origin }) };
};

/** `DELETE /v1/client/sessions`: sign out of every session on this client. */
export const signOutAll: FapiHandler = async (env) => {
  const client = env.ctx.client;
  if (client) {
    for (const s of await env.svc.store.listSessions(env.svc.instanceId, { clientId: client.id, status: "active" }))
      await env.svc.setSessionStatus(s, "ended");
    await env.ctx.save({ ...client, lastActiveSessionId: null, signInId: null, signUpId: null });
  }
  return { kind: "client" };
};
