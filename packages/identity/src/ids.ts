/**
 * Branded ids with Clerk's prefixes. Every id is created here, from 16 random bytes in base62, so
 * ids are unguessable and never collide across instances.
 */
import { randomBytes } from "node:crypto";
import type { Brand } from "@tandem/shared";

export type InstanceId = Brand<string, "InstanceId">;
export type UserId = Brand<string, "UserId">;
export type EmailId = Brand<string, "EmailId">;
export type ClientId = Brand<string, "ClientId">;
export type SessionId = Brand<string, "SessionId">;
export type SignInId = Brand<string, "SignInId">;
export type SignUpId = Brand<string, "SignUpId">;
export type TemplateId = Brand<string, "TemplateId">;
export type KeyId = Brand<string, "KeyId">;
export type TotpId = Brand<string, "TotpId">;
export type PhoneId = Brand<string, "PhoneId">;
export type OrganizationId = Brand<string, "OrganizationId">;
export type MembershipId = Brand<string, "MembershipId">;
export type InvitationId = Brand<string, "InvitationId">;
export type OrgRoleId = Brand<string, "OrgRoleId">;
export type OrgPermissionId = Brand<string, "OrgPermissionId">;
export type WebhookEndpointId = Brand<string, "WebhookEndpointId">;
/** The Svix message id (`svix-id`): one per event, the same across retries and replays. */
export type WebhookEventId = Brand<string, "WebhookEventId">;
export type DeliveryId = Brand<string, "DeliveryId">;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Base62 of `bytes` random bytes (rejection-free: 62^n bias is irrelevant at 22+ chars). */
export function randomBase62(length = 27): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 62];
  return out;
}

const make =
  <T extends string>(prefix: string) =>
  (): T =>
    `${prefix}_${randomBase62()}` as T;

export const newId = {
  instance: make<InstanceId>("ins"),
  user: make<UserId>("user"),
  email: make<EmailId>("idn"),
  client: make<ClientId>("client"),
  session: make<SessionId>("sess"),
  signIn: make<SignInId>("sia"),
  signUp: make<SignUpId>("sua"),
  template: make<TemplateId>("jtmp"),
  key: make<KeyId>("key"),
  totp: make<TotpId>("totp"),
  phone: make<PhoneId>("idn"),
  externalAccount: make<string>("eac"),
} as const;

const patterns = {
  user: /^user_[0-9A-Za-z]{1,64}$/,
  session: /^sess_[0-9A-Za-z]{1,64}$/,
  signIn: /^sia_[0-9A-Za-z]{1,64}$/,
  signUp: /^sua_[0-9A-Za-z]{1,64}$/,
  template: /^jtmp_[0-9A-Za-z]{1,64}$/,
  client: /^client_[0-9A-Za-z]{1,64}$/,
  phone: /^idn_[0-9A-Za-z]{1,64}$/,
  externalAccount: /^eac_[0-9A-Za-z]{1,64}$/,
};

/** Parses an id from a URL or body; `null` when it cannot be one of ours (→ 404 upstream). */
export const parseId = {
  user: (s: string) => (patterns.user.test(s) ? (s as UserId) : null),
  session: (s: string) => (patterns.session.test(s) ? (s as SessionId) : null),
  signIn: (s: string) => (patterns.signIn.test(s) ? (s as SignInId) : null),
  signUp: (s: string) => (patterns.signUp.test(s) ? (s as SignUpId) : null),
  template: (s: string) => (patterns.template.test(s) ? (s as TemplateId) : null),
  client: (s: string) => (patterns.client.test(s) ? (s as ClientId) : null),
  phone: (s: string) => (patterns.phone.test(s) ? (s as PhoneId) : null),
  externalAccount: (s: string) => (patterns.externalAccount.test(s) ? s : null),
};

/** Webhook ids, with Svix's prefixes (`msg_` is what receivers see as `svix-id`). */
export const newWebhookId = {
  endpoint: () => `ep_${randomBase62()}` as WebhookEndpointId,
  event: () => `msg_${randomBase62()}` as WebhookEventId,
  delivery: () => `atmpt_${randomBase62()}` as DeliveryId,
} as const;

export const parseWebhookId = {
  endpoint: (s: string) => (/^ep_[0-9A-Za-z]{1,64}$/.test(s) ? (s as WebhookEndpointId) : null),
  delivery: (s: string) => (/^atmpt_[0-9A-Za-z]{1,64}$/.test(s) ? (s as DeliveryId) : null),
};

/** Organization ids, with Clerk's prefixes. */
export const newOrgId = {
  organization: () => `org_${randomBase62()}` as OrganizationId,
  membership: () => `orgmem_${randomBase62()}` as MembershipId,
  invitation: () => `orginv_${randomBase62()}` as InvitationId,
} as const;

export const parseOrgId = {
  organization: (s: string) => (/^org_[0-9A-Za-z]{1,64}$/.test(s) ? (s as OrganizationId) : null),
  invitation: (s: string) => (/^orginv_[0-9A-Za-z]{1,64}$/.test(s) ? (s as InvitationId) : null),
};

/** Custom organization roles and permissions. */
export const newRoleId = {
  role: () => `role_${randomBase62()}` as OrgRoleId,
  permission: () => `perm_${randomBase62()}` as OrgPermissionId,
} as const;
