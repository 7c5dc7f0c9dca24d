/** Backend API: sessions (list, get, revoke, mint tokens for a session). */
import { ApiError } from "../errors.js";
import { parseId, type ClientId, type UserId } from "../ids.js";
import type { SessionQuery, SessionStatus } from "../store/types.js";
import { ok } from "../http/context.js";
import type { IdentityService } from "../domain/service.js";
import { sessionJSON } from "./json.js";
import type { BapiHandler } from "./users.js";

const STATUSES: readonly SessionStatus[] = ["active", "ended", "removed", "revoked", "expired", "replaced"];

async function target(svc: IdentityService, id: string) {
  const sid = parseId.session(id);
  const s = sid ? await svc.store.getSession(svc.instanceId, sid) : null;
  if (!s) throw new ApiError("resource_not_found", { param: "session_id" });
  return s;
}

export const listSessions: BapiHandler = async (svc, req) => {
  const q: SessionQuery = {};
  const userId = req.query.get("user_id");
  const clientId = req.query.get("client_id");
  const status = req.query.get("status");
  if (!userId && !clientId)
    throw new ApiError("form_param_missing", { param: "user_id", detail: "Give user_id or client_id." });
  if (userId) q.userId = userId as UserId;
  if (clientId) q.clientId = clientId as ClientId;
  if (status) {
    if (!STATUSES.includes(status as SessionStatus))
      throw new ApiError("form_param_value_invalid", { param: "status" });
    q.status = status as SessionStatus;
  }
  const all = await svc.store.listSessions(svc.instanceId, q);
  const limit = Math.min(500, Math.max(1, Number(req.query.get("limit") ?? 10) || 10));
  const offset = Math.max(0, Number(req.query.get("offset") ?? 0) || 0);
  const page = all.slice(offset, offset + limit).map(sessionJSON);
  return ok(req.query.get("paginated") === "true" ? { data: page, total_count: all.length } : page);
};

export const getSession: BapiHandler = async (svc, _req, p) => ok(sessionJSON(await target(svc, p.id!)));

export const revokeSession: BapiHandler = async (svc, _req, p) => {
  const s = await target(svc, p.id!);
  return ok(sessionJSON(s.status === "active" ? await svc.setSessionStatus(s, "revoked") : s));
};

async function activeOr401(svc: IdentityService, id: string) {
  const s = await target(svc, id);
  const active = await svc.activeSession(s.id);
  if (!active) throw new ApiError("session_not_active");
  return active;
}

export const createSessionToken: BapiHandler = async (svc, _req, p) =>
  ok({ object: "token", jwt: await svc.mintSessionToken(await activeOr401(svc, p.id!)) });

export const createTemplateToken: BapiHandler = async (svc, _req, p) =>
  ok({ object: "token", jwt: await svc.mintTemplateToken(await activeOr401(svc, p.id!), p.template!) });
