/**
 * Sessions of the current client: touch, end, remove, token mints (session token and templates),
 * and sign-out. A session that is not active, expired, or whose user is banned or gone gets no
 * token (401 `session_not_active`; clerk-js then re-reads the client and signs out). Loading the
 * client's own (active) session is the route's step (`steps/load-own.ts`).
 */
import type { ActiveSession } from "../domain/service.js";
import type { SessionRecord } from "../store/types.js";
import type { Endpoint } from "./steps/pipeline.js";
import { chosenOrganization, withMintOrganization } from "./active-organization.js";

export const touchSession: Endpoint<ActiveSession> = async (env, { session }) => {
  const now = env.svc.now();
  const next = {
    ...session,
    lastActiveAt: now,
    updatedAt: now,
    ...(await chosenOrganization(env.svc, env.req.fields, session)),
  };
  await env.svc.store.saveSession(next);
  await env.ctx.save({ ...env.ctx.client!, lastActiveSessionId: session.id });
  return { kind: "session", record: next };
};

export const endSession: Endpoint<SessionRecord> = async (env, s) => ({
  kind: "session",
  record: s.status === "active" ? await env.svc.setSessionStatus(s, "ended") : s,
});

export const removeSession: Endpoint<SessionRecord> = async (env, s) => ({
  kind: "session",
  record: s.status === "active" ? await env.svc.setSessionStatus(s, "removed") : s,
});

export const getSession: Endpoint<SessionRecord> = async (_env, s) => ({ kind: "session", record: s });

export const mintSessionToken: Endpoint<ActiveSession> = async (env, active) => ({
  kind: "token",
  jwt: await env.svc.mintSessionToken(await withMintOrganization(env.svc, env.req.fields, active), {
    origin: env.req.origin,
    native: env.ctx.native,
  }),
});

export const mintTemplateToken: Endpoint<ActiveSession> = async (env, active, params) => ({
  kind: "token",
  jwt: await env.svc.mintTemplateToken(active, params.template!, { origin: env.req.origin }),
});

/** `DELETE /v1/client/sessions` (and `DELETE /v1/client`): sign out of every session on this client. */
export const signOutAll: Endpoint<undefined> = async (env) => {
  const client = env.ctx.client;
  if (client) {
    for (const s of await env.svc.store.listSessions(env.svc.instanceId, { clientId: client.id, status: "active" }))
      await env.svc.setSessionStatus(s, "ended");
    await env.ctx.save({ ...client, lastActiveSessionId: null, signInId: null, signUpId: null });
  }
  return { kind: "client" };
};
