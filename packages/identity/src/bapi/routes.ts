/** The Backend API route table, under `/backend/v1` (so `@clerk/backend` takes `apiUrl: <issuer>/backend`). */
import { ok } from "../http/context.js";
import { Router } from "../http/router.js";
import { banUser, countUsers, deleteUser, getUser, listUsers, lockUser, mergeUserMetadata, patchUser, postUser, replaceUserMetadata, unbanUser, unlockUser, verifyUserPassword, type BapiHandler } from "./users.js";
import { deleteUserBackupCodes, deleteUserTotp, disableUserMfa } from "./second-factors.js";
import { createSessionToken, createTemplateToken, getSession, listSessions, revokeSession } from "./sessions.js";
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from "./templates.js";

const jwks: BapiHandler = async (svc) => ok(await svc.keys.jwks(svc.now()));

export function bapiRouter(): Router<BapiHandler> {
  const p = "/backend/v1";
  return new Router<BapiHandler>()
    .add("GET", `${p}/jwks`, jwks)
    .add("GET", `${p}/users`, listUsers)
    .add("POST", `${p}/users`, postUser)
    .add("GET", `${p}/users/count`, countUsers)
    .add("GET", `${p}/users/:id`, getUser)
    .add("PATCH", `${p}/users/:id`, patchUser)
    .add("DELETE", `${p}/users/:id`, deleteUser)
    .add("PATCH", `${p}/users/:id/metadata`, mergeUserMetadata)
    .add("PUT", `${p}/users/:id/metadata`, replaceUserMetadata)
    .add("POST", `${p}/users/:id/ban`, banUser)
    .add("POST", `${p}/users/:id/unban`, unbanUser)
    .add("POST", `${p}/users/:id/lock`, lockUser)
    .add("POST", `${p}/users/:id/unlock`, unlockUser)
    .add("POST", `${p}/users/:id/verify_password`, verifyUserPassword)
    .add("DELETE", `${p}/users/:id/mfa`, disableUserMfa)
    .add("DELETE", `${p}/users/:id/totp`, deleteUserTotp)
    .add("DELETE", `${p}/users/:id/backup_code`, deleteUserBackupCodes)
    .add("GET", `${p}/sessions`, listSessions)
    .add("GET", `${p}/sessions/:id`, getSession)
    .add("POST", `${p}/sessions/:id/revoke`, revokeSession)
    .add("POST", `${p}/sessions/:id/tokens`, createSessionToken)
    .add("POST", `${p}/sessions/:id/tokens/:template`, createTemplateToken)
    .add("GET", `${p}/jwt_templates`, listTemplates)
    .add("POST", `${p}/jwt_templates`, createTemplate)
    .add("GET", `${p}/jwt_templates/:id`, getTemplate)
    .add("PATCH", `${p}/jwt_templates/:id`, updateTemplate)
    .add("DELETE", `${p}/jwt_templates/:id`, deleteTemplate);
}
