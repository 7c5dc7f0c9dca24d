/**
 * Loader steps: the record named in the path, and only if it belongs to the request's client
 * (anything else, including another client's record, is `resource_not_found`).
 */
import { ApiError } from "../../errors.js";
import { parseId, type ClientId } from "../../ids.js";
import type { ActiveSession, IdentityService } from "../../domain/service.js";
import type { SessionRecord, SignInRecord, SignUpRecord } from "../../store/types.js";
import type { Loader } from "./pipeline.js";

function loadOwn<R extends { clientId: ClientId }, I>(
  param: string,
  parse: (raw: string) => I | null,
  get: (svc: IdentityService, id: I) => Promise<R | null>,
): Loader<R> {
  return {
    load: async (env, params) => {
      const id = parse(params.id ?? "");
      const client = env.ctx.client;
      const record = id && client ? await get(env.svc, id) : null;
      if (!record || record.clientId !== client?.id) throw new ApiError("resource_not_found", { param });
      return record;
    },
  };
}

export const loadSignIn: Loader<SignInRecord> = loadOwn("sign_in_id", parseId.signIn, (svc, id) => svc.store.getSignIn(svc.instanceId, id));
export const loadSignUp: Loader<SignUpRecord> = loadOwn("sign_up_id", parseId.signUp, (svc, id) => svc.store.getSignUp(svc.instanceId, id));
export const loadSession: Loader<SessionRecord> = loadOwn("session_id", parseId.session, (svc, id) => svc.store.getSession(svc.instanceId, id));

/** The client's session, if it may still get tokens (else 401 `session_not_active`). */
export const loadActiveSession: Loader<ActiveSession> = {
  load: async (env, params) => {
    const active = await env.svc.activeSession((await loadSession.load(env, params)).id);
    if (!active) throw new ApiError("session_not_active");
    return active;
  },
};

/** `/v1/me`: the session named by `_clerk_session_id`, or the client's last active one. */
export const loadCurrentSession: Loader<ActiveSession> = {
  load: async (env) => {
    const client = env.ctx.client;
    const wanted = env.req.query.get("_clerk_session_id");
    const id = wanted ? parseId.session(wanted) : client?.lastActiveSessionId;
    const active = id ? await env.svc.activeSession(id) : null;
    if (!client || !active || active.session.clientId !== client.id) throw new ApiError("authentication_invalid");
    return active;
  },
};
