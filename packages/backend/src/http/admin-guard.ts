/**
 * The admin-key check of every push/import/export endpoint: the `Authorization: Convex <key>`
 * header (or `?adminKey=`), or, without a header, the JSON body's `adminKey`.
 */
import type { HttpRequest, Route } from "./router.js";
import { PUSH_BODY_LIMIT, parseJsonObject } from "./body.js";
import { jsonReply } from "./reply.js";
import { authError } from "../auth/errors.js";
import { identityFromRequest, type RequestAuthenticator } from "./identity.js";

export type AdminGuard = (req: HttpRequest, body?: Record<string, unknown>) => Promise<void>;

export function adminGuard(auth: RequestAuthenticator): AdminGuard {
  return async (req, body) => {
    if (!req.headers.authorization && typeof body?.adminKey === "string") {
      if (!auth.checkAdminKey(body.adminKey)) throw authError.badAdminKey();
      return;
    }
    const identity = await identityFromRequest(req.headers.authorization, req, auth);
    if (identity.kind !== "admin") throw authError.badAdminKey();
  };
}

/**
 * A POST route of the push API: a JSON object body (brotli for the big ones), admin-checked
 * by header or by the body's `adminKey`, answered with the handler's JSON.
 */
export function adminJsonPost(
  requireAdmin: AdminGuard,
  path: string,
  handle: (body: Record<string, unknown>, req: HttpRequest) => Promise<unknown>,
): Route {
  return {
    method: "POST",
    path,
    handler: async (req) => {
      const raw = await req.body(PUSH_BODY_LIMIT);
      const body = raw.length === 0 ? {} : parseJsonObject(raw);
      await requireAdmin(req, body);
      return jsonReply(await handle(body, req));
    },
  };
}
