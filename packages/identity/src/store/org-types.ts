/**
 * The organization part of the store contract (Clerk's organizations, memberships, invitations).
 * Writes take the webhook events they cause, committed in the same transaction.
 */
import type {
  InstanceId,
  InvitationId,
  MembershipId,
  OrganizationId,
  OrgPermissionId,
  OrgRoleId,
  UserId,
} from "../ids.js";
import type { OutboxEvent } from "./webhook-types.js";

export type { InvitationId, MembershipId, OrganizationId, OrgPermissionId, OrgRoleId };

type Metadata = Record<string, unknown>;

export interface OrganizationRecord {
  id: OrganizationId;
  instanceId: InstanceId;
  name: string;
  slug: string;
  imageUrl: string | null;
  createdBy: UserId | null;
  maxAllowedMemberships: number;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRecord {
  id: MembershipId;
  instanceId: InstanceId;
  organizationId: OrganizationId;
  userId: UserId;
  /** `org:admin`, `org:member`. */
  role: string;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdAt: number;
  updatedAt: number;
}

export type InvitationStatus = "pending" | "accepted" | "revoked";

export interface InvitationRecord {
  id: InvitationId;
  instanceId: InstanceId;
  organizationId: OrganizationId;
  email: string;
  role: string;
  status: InvitationStatus;
  inviterUserId: UserId | null;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
}

export interface OrganizationQuery {
  query?: string;
  limit: number;
  offset: number;
}

export interface MembershipQuery {
  organizationId?: OrganizationId;
  userId?: UserId;
  limit: number;
  offset: number;
}

type Events = readonly OutboxEvent[] | undefined;

export interface OrganizationStore {
  /** Inserts or replaces; throws `UniqueViolation("slug")`. */
  saveOrganization(org: OrganizationRecord, events?: Events): Promise<void>;
  getOrganization(instanceId: InstanceId, idOrSlug: string): Promise<OrganizationRecord | null>;
  listOrganizations(
    instanceId: InstanceId,
    q: OrganizationQuery,
  ): Promise<{ data: OrganizationRecord[]; total: number }>;
  /** Removes the organization with its memberships and invitations. */
  deleteOrganization(instanceId: InstanceId, id: OrganizationId, events?: Events): Promise<boolean>;

  /** Inserts or replaces (one membership per user and organization). */
  saveMembership(m: MembershipRecord, events?: Events): Promise<void>;
  getMembership(
    instanceId: InstanceId,
    organizationId: OrganizationId,
    userId: UserId,
  ): Promise<MembershipRecord | null>;
  listMemberships(instanceId: InstanceId, q: MembershipQuery): Promise<{ data: MembershipRecord[]; total: number }>;
  deleteMembership(
    instanceId: InstanceId,
    organizationId: OrganizationId,
    userId: UserId,
    events?: Events,
  ): Promise<boolean>;

  saveInvitation(inv: InvitationRecord, events?: Events): Promise<void>;
  getInvitation(instanceId: InstanceId, id: InvitationId): Promise<InvitationRecord | null>;
  listInvitations(
    instanceId: InstanceId,
    organizationId: OrganizationId,
    status: InvitationStatus | null,
  ): Promise<InvitationRecord[]>;
  listPendingInvitationsFor(instanceId: InstanceId, email: string): Promise<InvitationRecord[]>;
}

/** A custom permission, `org:<feature>:<action>`. */
export interface OrgPermissionRecord {
  id: OrgPermissionId;
  instanceId: InstanceId;
  name: string;
  key: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** A custom role, `org:<name>`, with the ids of its permissions. */
export interface OrgRoleRecord {
  id: OrgRoleId;
  instanceId: InstanceId;
  name: string;
  key: string;
  description: string;
  permissionIds: OrgPermissionId[];
  createdAt: number;
  updatedAt: number;
}

export interface OrgRoleStore {
  /** Inserts or replaces; throws `UniqueViolation("role_key")`. */
  saveOrgPermission(p: OrgPermissionRecord): Promise<void>;
  listOrgPermissions(instanceId: InstanceId): Promise<OrgPermissionRecord[]>;
  /** Also removes it from every role. */
  deleteOrgPermission(instanceId: InstanceId, id: OrgPermissionId): Promise<boolean>;
  /** Inserts or replaces; throws `UniqueViolation("role_key")`. */
  saveOrgRole(r: OrgRoleRecord): Promise<void>;
  listOrgRoles(instanceId: InstanceId): Promise<OrgRoleRecord[]>;
  deleteOrgRole(instanceId: InstanceId, id: OrgRoleId): Promise<boolean>;
  /** How many memberships and pending invitations use the role `key`. */
  countRoleUses(instanceId: InstanceId, key: string): Promise<number>;
}
