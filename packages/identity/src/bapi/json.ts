/** Backend API resources (Clerk's BAPI shapes; what `@clerk/backend`'s deserialisers read). */
import { userJSON as fapiUserJSON } from "../fapi/json.js";
import type { JwtTemplateRecord, SessionRecord, UserRecord } from "../store/types.js";
import type { IdentityService } from "../domain/service.js";

export function userJSON(svc: IdentityService, u: UserRecord) {
  const lockLeft = svc.lockRemaining(u);
  const max = svc.security.maxFailedAttempts;
  return {
    ...fapiUserJSON(u),
    private_metadata: u.privateMetadata,
    banned: u.banned,
    locked: lockLeft !== 0,
    lockout_expires_in_seconds: lockLeft === 0 ? null : lockLeft,
    verification_attempts_remaining: Math.max(0, max - u.failedAttempts),
    last_active_at: u.lastActiveAt,
    password_last_updated_at: u.passwordUpdatedAt,
    locale: null,
  };
}

export function sessionJSON(s: SessionRecord) {
  return {
    object: "session",
    id: s.id,
    client_id: s.clientId,
    user_id: s.userId,
    status: s.status,
    last_active_at: s.lastActiveAt,
    last_active_organization_id: s.activeOrganizationId ?? null,
    actor: null,
    expire_at: s.expireAt,
    abandon_at: s.abandonAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export function templateJSON(t: JwtTemplateRecord) {
  return {
    object: "jwt_template",
    id: t.id,
    name: t.name,
    claims: t.claims,
    lifetime: t.lifetime,
    allowed_clock_skew: t.allowedClockSkew,
    custom_signing_key: false,
    signing_algorithm: "RS256",
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export const deletedJSON = (object: string, id: string) => ({ object, id, deleted: true });
