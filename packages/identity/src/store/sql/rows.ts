/** Row ↔ record mapping for the SQL store (column names are snake_case, records camelCase). */
import type { ClientRecord, EmailRecord, JwtTemplateRecord, SessionRecord, UserRecord } from "../types.js";
import type { Row } from "./db.js";

const json = (v: unknown) => JSON.parse(String(v)) as Record<string, unknown>;
const optNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const optStr = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function userFromRow(r: Row, emails: Row[]): UserRecord {
  return {
    id: r.id as UserRecord["id"],
    instanceId: r.instance_id as UserRecord["instanceId"],
    externalId: optStr(r.external_id),
    firstName: optStr(r.first_name),
    lastName: optStr(r.last_name),
    username: optStr(r.username),
    imageUrl: optStr(r.image_url),
    passwordHash: optStr(r.password_hash),
    passwordUpdatedAt: optNum(r.password_updated_at),
    primaryEmailId: optStr(r.primary_email_id) as UserRecord["primaryEmailId"],
    emails: emails.map(emailFromRow),
    publicMetadata: json(r.public_metadata),
    privateMetadata: json(r.private_metadata),
    unsafeMetadata: json(r.unsafe_metadata),
    banned: r.banned === 1,
    lockedUntil: optNum(r.locked_until),
    failedAttempts: Number(r.failed_attempts),
    lastSignInAt: optNum(r.last_sign_in_at),
    lastActiveAt: optNum(r.last_active_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function userToRow(u: UserRecord): Row {
  return {
    id: u.id,
    instance_id: u.instanceId,
    external_id: u.externalId,
    first_name: u.firstName,
    last_name: u.lastName,
    username: u.username,
    image_url: u.imageUrl,
    password_hash: u.passwordHash,
    password_updated_at: u.passwordUpdatedAt,
    primary_email_id: u.primaryEmailId,
    public_metadata: JSON.stringify(u.publicMetadata),
    private_metadata: JSON.stringify(u.privateMetadata),
    unsafe_metadata: JSON.stringify(u.unsafeMetadata),
    banned: u.banned ? 1 : 0,
    locked_until: u.lockedUntil,
    failed_attempts: u.failedAttempts,
    last_sign_in_at: u.lastSignInAt,
    last_active_at: u.lastActiveAt,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

export function emailFromRow(r: Row): EmailRecord {
  return {
    id: r.id as EmailRecord["id"],
    email: String(r.email),
    verified: r.verified === 1,
    createdAt: Number(r.created_at),
  };
}

export function clientFromRow(r: Row): ClientRecord {
  return {
    id: r.id as ClientRecord["id"],
    instanceId: r.instance_id as ClientRecord["instanceId"],
    tokenHash: String(r.token_hash),
    signInId: optStr(r.sign_in_id) as ClientRecord["signInId"],
    signUpId: optStr(r.sign_up_id) as ClientRecord["signUpId"],
    lastActiveSessionId: optStr(r.last_active_session_id) as ClientRecord["lastActiveSessionId"],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function sessionFromRow(r: Row): SessionRecord {
  return {
    id: r.id as SessionRecord["id"],
    instanceId: r.instance_id as SessionRecord["instanceId"],
    clientId: r.client_id as SessionRecord["clientId"],
    userId: r.user_id as SessionRecord["userId"],
    status: r.status as SessionRecord["status"],
    firstFactorAt: Number(r.first_factor_at),
    lastActiveAt: Number(r.last_active_at),
    expireAt: Number(r.expire_at),
    abandonAt: Number(r.abandon_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    activeOrganizationId: optStr(r.active_organization_id) as SessionRecord["activeOrganizationId"],
  };
}

export function templateFromRow(r: Row): JwtTemplateRecord {
  return {
    id: r.id as JwtTemplateRecord["id"],
    instanceId: r.instance_id as JwtTemplateRecord["instanceId"],
    name: String(r.name),
    claims: json(r.claims),
    lifetime: Number(r.lifetime),
    allowedClockSkew: Number(r.allowed_clock_skew),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
