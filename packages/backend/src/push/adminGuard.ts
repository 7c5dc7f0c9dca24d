/**
 * The admin-key check of every push/import/export endpoint: the `Authorization: Convex <key>`
 * header (or `?adminKey=`), or, without a header, the JSON body's `adminKey`.
 */
import type { HttpRequest } from "../http/router.js";
import { authError } from "../auth/errors.js";
import { identityFromRequest, type RequestAuthenticator } from "../http/identity.js";

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
