/** The Backend API route table, under `/backend/v1` (so `@clerk/backend` takes `apiUrl: <issuer>/backend`). */
import { ok } from "../http/context.js";
import { Router } from "../http/router.js";
import {
  banUser,
  countUsers,
  deleteUser,
  getUser,
  listUsers,
  lockUser,
  mergeUserMetadata,
  patchUser,
  postUser,
  replaceUserMetadata,
  unbanUser,
  unlockUser,
  verifyUserPassword,
  type BapiHandler,
} from "./users.js";
import { deleteUserBackupCodes, deleteUserTotp, disableUserMfa } from "./second-factors.js";
import { createSessionToken, createTemplateToken, getSession, listSessions, revokeSession } from "./sessions.js";
import {
  deleteMembership,
  deleteOrganizationRoute,
  getInvitation,
  getOrganization,
  listInvitations,
  listMemberships,
  listOrganizations,
  listUserMemberships,
  mergeOrganizationMetadata,
  patchMembership,
  patchMembershipMetadata,
  patchOrganization,
  postInvitation,
  postMembership,
  postOrganization,
  replaceOrganizationMetadata,
  revokeInvitationRoute,
} from "./organizations.js";
import {
  assignRolePermission,
  deletePermission,
  deleteRole,
  getPermission,
  getRole,
  listPermissions,
  listRoles,
  patchRole,
  postPermission,
  postRole,
  removeRolePermission,
} from "./org-roles.js";
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  replayDelivery,
} from "./webhooks.js";
import { listSigningKeys, rotateSigningKey } from "./signing-keys.js";
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from "./templates.js";

const jwks: BapiHandler = async (svc) => ok(await svc.keys.jwks(svc.now()));

export function bapiRouter(): Router<BapiHandler> {
  const p = "/backend/v1";
  return new Router<BapiHandler>()
    .add("GET", `${p}/jwks`, jwks)
    .add("GET", `${p}/signing_keys`, listSigningKeys)
    .add("POST", `${p}/signing_keys/rotate`, rotateSigningKey)
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
    .add("DELETE", `${p}/jwt_templates/:id`, deleteTemplate)
    .add("GET", `${p}/webhooks/endpoints`, listEndpoints)
    .add("POST", `${p}/webhooks/endpoints`, createEndpoint)
    .add("GET", `${p}/webhooks/endpoints/:id`, getEndpoint)
    .add("DELETE", `${p}/webhooks/endpoints/:id`, deleteEndpoint)
    .add("GET", `${p}/webhooks/endpoints/:id/deliveries`, listDeliveries)
    .add("POST", `${p}/webhooks/deliveries/:id/replay`, replayDelivery)
    .add("GET", `${p}/users/:id/organization_memberships`, listUserMemberships)
    .add("GET", `${p}/organizations`, listOrganizations)
    .add("POST", `${p}/organizations`, postOrganization)
    .add("GET", `${p}/organizations/:id`, getOrganization)
    .add("PATCH", `${p}/organizations/:id`, patchOrganization)
    .add("DELETE", `${p}/organizations/:id`, deleteOrganizationRoute)
    .add("PATCH", `${p}/organizations/:id/metadata`, mergeOrganizationMetadata)
    .add("PUT", `${p}/organizations/:id/metadata`, replaceOrganizationMetadata)
    .add("GET", `${p}/organizations/:id/memberships`, listMemberships)
    .add("POST", `${p}/organizations/:id/memberships`, postMembership)
    .add("PATCH", `${p}/organizations/:id/memberships/:user_id`, patchMembership)
    .add("DELETE", `${p}/organizations/:id/memberships/:user_id`, deleteMembership)
    .add("PATCH", `${p}/organizations/:id/memberships/:user_id/metadata`, patchMembershipMetadata)
    .add("GET", `${p}/organizations/:id/invitations`, listInvitations)
    .add("POST", `${p}/organizations/:id/invitations`, postInvitation)
    .add("GET", `${p}/organizations/:id/invitations/:invitation_id`, getInvitation)
    .add("POST", `${p}/organizations/:id/invitations/:invitation_id/revoke`, revokeInvitationRoute)
    .add("GET", `${p}/organization_permissions`, listPermissions)
    .add("POST", `${p}/organization_permissions`, postPermission)
    .add("GET", `${p}/organization_permissions/:id`, getPermission)
    .add("DELETE", `${p}/organization_permissions/:id`, deletePermission)
    .add("GET", `${p}/organization_roles`, listRoles)
    .add("POST", `${p}/organization_roles`, postRole)
    .add("GET", `${p}/organization_roles/:id`, getRole)
    .add("PATCH", `${p}/organization_roles/:id`, patchRole)
    .add("DELETE", `${p}/organization_roles/:id`, deleteRole)
    .add("POST", `${p}/organization_roles/:id/permissions/:permission_id`, assignRolePermission)
    .add("DELETE", `${p}/organization_roles/:id/permissions/:permission_id`, removeRolePermission);
}
