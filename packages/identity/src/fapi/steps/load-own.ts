/**
 * Loader steps: the record named in the path, and only if it belongs to the request's client
 * (anything else, including another client's record, is `resource_not_found`).
 */
import { ApiError } from "../../errors.js";
import { parseId, type ClientId } from "../../ids.js";
import type { ActiveSession, IdentityService } from "../../domain/service.js";
import type { SessionRecord, SessionStatus, SignInRecord, SignUpRecord } from "../../store/types.js";
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

export const loadSignIn: Loader<SignInRecord> = loadOwn("sign_in_id", parseId.signIn, (svc, id) =>
  svc.store.getSignIn(svc.instanceId, id),
);
export const loadSignUp: Loader<SignUpRecord> = loadOwn("sign_up_id", parseId.signUp, (svc, id) =>
  svc.store.getSignUp(svc.instanceId, id),
);
export const loadSession: Loader<SessionRecord> = loadOwn("session_id", parseId.session, (svc, id) =>
  svc.store.getSession(svc.instanceId, id),
);

/**
 * The client's session, if it may still get tokens. Otherwise the code Clerk's SDKs act on
 * (the Android SDK clears its session only for these): 404 `session_not_found` for a session
 * that is not this client's, 401 `session_ended|removed|revoked|expired|replaced` by status; a
 * session whose user is banned or gone counts as revoked.
 */
export const loadActiveSession: Loader<ActiveSession> = {
  load: async (env, params) => {
    let session: SessionRecord;
    try {
      session = await loadSession.load(env, params);
    } catch {
      throw new ApiError("session_not_found", { param: "session_id" });
    }
    const active = await env.svc.activeSession(session.id);
    if (active) return active;
    // Re-read: `activeSession` marks a session whose time ran out as expired.
    const now = await env.svc.store.getSession(env.svc.instanceId, session.id);
    throw new ApiError(refusal(now?.status ?? "ended"));
  },
};

function refusal(status: SessionStatus) {
  switch (status) {
    case "active":
      return "session_revoked" as const;
    case "ended":
      return "session_ended" as const;
    case "removed":
      return "session_removed" as const;
    case "revoked":
      return "session_revoked" as const;
    case "expired":
      return "session_expired" as const;
    case "replaced":
      return "session_replaced" as const;
    default:
      return status satisfies never;
  }
}

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
