/**
 * Organizations, memberships and invitations, each change stored with its webhook events. The
 * creator of an organization becomes its first admin; invitations are e-mailed (the dev inbox on
 * development instances).
 */
import { ApiError } from "../errors.js";
import { newOrgId, type UserId } from "../ids.js";
import type { InvitationRecord, MembershipRecord, OrganizationRecord } from "../store/org-types.js";
import type { Metadata, UserRecord } from "../store/types.js";
import {
  invitationEvent,
  membershipEvent,
  organizationDeletedEvent,
  organizationEvent,
} from "../webhooks/org-events.js";
import type { IdentityService } from "./service.js";
import { uniqueToApi } from "./users.js";
import { checkMetadata, normalizeEmail } from "./validate.js";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const INVITATION_TTL_MS = 30 * 24 * 3600 * 1000;
/** 0 means no limit, as in Clerk. */
const DEFAULT_MAX_MEMBERSHIPS = 0;

export interface NewOrganization {
  name: string;
  slug?: string | null;
  createdBy?: UserId | null;
  maxAllowedMemberships?: number | null;
  publicMetadata?: unknown;
  privateMetadata?: unknown;
}

export type OrganizationPatch = Partial<Omit<NewOrganization, "createdBy">>;

function checkOrgName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new ApiError("form_param_missing", { param: "name" });
  if (name.length > 256) throw new ApiError("form_param_max_length_exceeded", { param: "name" });
  return name;
}

function checkSlug(raw: string): string {
  const slug = raw.trim().toLowerCase();
  if (!SLUG.test(slug))
    throw new ApiError("form_param_format_invalid", {
      param: "slug",
      detail: "Use lowercase letters, digits and dashes.",
    });
  return slug;
}

const slugFrom = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64) || "org";

function checkRole(svc: IdentityService, role: string, param = "role"): string {
  if (!svc.orgRoles.has(role))
    throw new ApiError("form_param_value_invalid", { param, detail: `Roles are ${svc.orgRoles.keys().join(", ")}.` });
  return role;
}

function checkMax(n: number | null | undefined): number | undefined {
  if (n === undefined || n === null) return undefined;
  if (!Number.isInteger(n) || n < 0 || n > 100_000)
    throw new ApiError("form_param_value_invalid", { param: "max_allowed_memberships" });
  return n;
}

export async function createOrganization(svc: IdentityService, input: NewOrganization): Promise<OrganizationRecord> {
  const now = svc.now();
  const name = checkOrgName(input.name);
  const creator = input.createdBy ? await svc.requireUser(input.createdBy) : null;
  const org: OrganizationRecord = {
    id: newOrgId.organization(),
    instanceId: svc.instanceId,
    name,
    slug: input.slug ? checkSlug(input.slug) : slugFrom(name),
    imageUrl: null,
    createdBy: creator?.id ?? null,
    maxAllowedMemberships: checkMax(input.maxAllowedMemberships) ?? DEFAULT_MAX_MEMBERSHIPS,
    publicMetadata: checkMetadata(input.publicMetadata, "public_metadata"),
    privateMetadata: checkMetadata(input.privateMetadata, "private_metadata"),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await svc.store.saveOrganization(org, [organizationEvent(svc, "organization.created", org)]);
  } catch (e) {
    throw uniqueToApi(e);
  }
  if (creator) await addMember(svc, org, creator, "org:admin");
  return org;
}

export async function updateOrganization(
  svc: IdentityService,
  org: OrganizationRecord,
  patch: OrganizationPatch,
): Promise<OrganizationRecord> {
  const next: OrganizationRecord = { ...org, updatedAt: svc.now() };
  if (patch.name !== undefined && patch.name !== null) next.name = checkOrgName(patch.name);
  if (patch.slug !== undefined && patch.slug !== null) next.slug = checkSlug(patch.slug);
  const max = checkMax(patch.maxAllowedMemberships);
  if (max !== undefined) next.maxAllowedMemberships = max;
  if (patch.publicMetadata !== undefined) next.publicMetadata = checkMetadata(patch.publicMetadata, "public_metadata");
  if (patch.privateMetadata !== undefined)
    next.privateMetadata = checkMetadata(patch.privateMetadata, "private_metadata");
  try {
    await svc.store.saveOrganization(next, [organizationEvent(svc, "organization.updated", next)]);
  } catch (e) {
    throw uniqueToApi(e);
  }
  return next;
}

export async function deleteOrganization(svc: IdentityService, org: OrganizationRecord): Promise<void> {
  await svc.store.deleteOrganization(svc.instanceId, org.id, [organizationDeletedEvent(svc, org)]);
}

export async function addMember(
  svc: IdentityService,
  org: OrganizationRecord,
  user: UserRecord,
  role: string,
  metadata: { publicMetadata?: Metadata; privateMetadata?: Metadata } = {},
): Promise<MembershipRecord> {
  checkRole(svc, role);
  if (await svc.store.getMembership(svc.instanceId, org.id, user.id))
    throw new ApiError("already_a_member_in_organization", { param: "user_id" });
  if (org.maxAllowedMemberships > 0) {
    const { total } = await svc.store.listMemberships(svc.instanceId, { organizationId: org.id, limit: 1, offset: 0 });
    if (total >= org.maxAllowedMemberships) throw new ApiError("organization_membership_quota_exceeded");
  }
  const now = svc.now();
  const m: MembershipRecord = {
    id: newOrgId.membership(),
    instanceId: svc.instanceId,
    organizationId: org.id,
    userId: user.id,
    role,
    publicMetadata: checkMetadata(metadata.publicMetadata, "public_metadata"),
    privateMetadata: checkMetadata(metadata.privateMetadata, "private_metadata"),
    createdAt: now,
    updatedAt: now,
  };
  await svc.store.saveMembership(m, [membershipEvent(svc, "organizationMembership.created", m, org, user)]);
  return m;
}

export async function requireMembership(
  svc: IdentityService,
  org: OrganizationRecord,
  userId: UserId,
): Promise<MembershipRecord> {
  const m = await svc.store.getMembership(svc.instanceId, org.id, userId);
  if (!m) throw new ApiError("not_a_member_in_organization", { param: "user_id" });
  return m;
}

export async function updateMember(
  svc: IdentityService,
  org: OrganizationRecord,
  m: MembershipRecord,
  patch: { role?: string; publicMetadata?: Metadata; privateMetadata?: Metadata },
): Promise<MembershipRecord> {
  const next: MembershipRecord = { ...m, updatedAt: svc.now() };
  if (patch.role !== undefined) next.role = checkRole(svc, patch.role);
  if (patch.publicMetadata !== undefined) next.publicMetadata = checkMetadata(patch.publicMetadata, "public_metadata");
  if (patch.privateMetadata !== undefined)
    next.privateMetadata = checkMetadata(patch.privateMetadata, "private_metadata");
  const user = await svc.store.getUser(svc.instanceId, m.userId);
  await svc.store.saveMembership(next, [membershipEvent(svc, "organizationMembership.updated", next, org, user)]);
  return next;
}

export async function removeMember(svc: IdentityService, org: OrganizationRecord, m: MembershipRecord): Promise<void> {
  const user = await svc.store.getUser(svc.instanceId, m.userId);
  await svc.store.deleteMembership(svc.instanceId, org.id, m.userId, [
    membershipEvent(svc, "organizationMembership.deleted", m, org, user),
  ]);
}

export async function inviteToOrganization(
  svc: IdentityService,
  org: OrganizationRecord,
  input: {
    email: string;
    role: string;
    inviterUserId?: UserId | null;
    publicMetadata?: unknown;
    privateMetadata?: unknown;
  },
): Promise<InvitationRecord> {
  const now = svc.now();
  const inviter = input.inviterUserId ? await svc.requireUser(input.inviterUserId) : null;
  const inv: InvitationRecord = {
    id: newOrgId.invitation(),
    instanceId: svc.instanceId,
    organizationId: org.id,
    email: normalizeEmail(input.email, "email_address"),
    role: checkRole(svc, input.role),
    status: "pending",
    inviterUserId: inviter?.id ?? null,
    publicMetadata: checkMetadata(input.publicMetadata, "public_metadata"),
    privateMetadata: checkMetadata(input.privateMetadata, "private_metadata"),
    expiresAt: now + INVITATION_TTL_MS,
    createdAt: now,
    updatedAt: now,
  };
  await svc.store.saveInvitation(inv, [invitationEvent(svc, "organizationInvitation.created", inv, org)]);
  await svc.mailer.send({
    to: inv.email,
    subject: `You are invited to join ${org.name} on ${svc.appName}`,
    text: `${inviter ? `${[inviter.firstName, inviter.lastName].filter(Boolean).join(" ") || "Someone"} invited` : "You are invited"} you to join ${org.name} as ${inv.role === "org:admin" ? "an admin" : "a member"}.\n\nSign in or sign up with this e-mail address to accept.`,
    code: null,
  });
  return inv;
}

export async function revokeInvitation(
  svc: IdentityService,
  org: OrganizationRecord,
  inv: InvitationRecord,
): Promise<InvitationRecord> {
  if (inv.status !== "pending") return inv;
  const next: InvitationRecord = { ...inv, status: "revoked", updatedAt: svc.now() };
  await svc.store.saveInvitation(next, [invitationEvent(svc, "organizationInvitation.revoked", next, org)]);
  return next;
}

/** Accepts one pending, unexpired invitation for `user` (addressed to one of their verified e-mails). */
export async function acceptInvitation(
  svc: IdentityService,
  user: UserRecord,
  inv: InvitationRecord,
): Promise<InvitationRecord> {
  const addressed = user.emails.some((e) => e.verified && e.email === inv.email);
  const org = await svc.store.getOrganization(svc.instanceId, inv.organizationId);
  if (!addressed || !org || inv.status !== "pending" || inv.expiresAt <= svc.now())
    throw new ApiError("resource_not_found", { param: "invitation_id" });
  const accepted: InvitationRecord = { ...inv, status: "accepted", updatedAt: svc.now() };
  await svc.store.saveInvitation(accepted, [invitationEvent(svc, "organizationInvitation.accepted", accepted, org)]);
  if (!(await svc.store.getMembership(svc.instanceId, org.id, user.id))) await addMember(svc, org, user, inv.role);
  return accepted;
}

/** The pending invitations addressed to the user's verified e-mail addresses. */
export async function pendingInvitationsFor(svc: IdentityService, user: UserRecord): Promise<InvitationRecord[]> {
  const out: InvitationRecord[] = [];
  for (const email of user.emails.filter((e) => e.verified))
    for (const inv of await svc.store.listPendingInvitationsFor(svc.instanceId, email.email))
      if (inv.expiresAt > svc.now()) out.push(inv);
  return out;
}

/**
 * Accepts every pending invitation to the user's verified addresses (signing up with an invited
 * address is taking the invitation, as in Clerk's invitation links).
 */
export async function acceptInvitations(svc: IdentityService, user: UserRecord): Promise<void> {
  for (const inv of await pendingInvitationsFor(svc, user)) await acceptInvitation(svc, user, inv);
}
