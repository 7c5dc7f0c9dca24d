/**
 * Webhook events as Clerk sends them: `{data, object: "event", type, timestamp, instance_id}`.
 * `data` is the Backend API JSON of the resource (a deleted user: `{id, object, deleted}`).
 */
import { newWebhookId } from "../ids.js";
import type { SessionRecord, UserRecord } from "../store/types.js";
import type { OutboxEvent } from "../store/webhook-types.js";
import type { IdentityService } from "../domain/service.js";
import { sessionJSON, userJSON } from "../bapi/json.js";

export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "session.created",
  "session.ended",
  "session.removed",
  "session.revoked",
  "email.created",
  "organization.created",
  "organization.updated",
  "organization.deleted",
  "organizationMembership.created",
  "organizationMembership.updated",
  "organizationMembership.deleted",
  "organizationInvitation.created",
  "organizationInvitation.accepted",
  "organizationInvitation.revoked",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (s: string): s is EventType => (EVENT_TYPES as readonly string[]).includes(s);

/** What building an event needs of the service (the mailer wrapper has no service yet). */
export type EventSource = Pick<IdentityService, "now" | "instanceId">;

export function makeEvent(svc: EventSource, type: EventType, data: unknown, orderingKey: string | null): OutboxEvent {
  const now = svc.now();
  const body = JSON.stringify({ data, object: "event", type, timestamp: now, instance_id: svc.instanceId });
  return { id: newWebhookId.event(), instanceId: svc.instanceId, type, body, orderingKey, createdAt: now };
}

export const userEvent = (svc: IdentityService, type: "user.created" | "user.updated", u: UserRecord) =>
  makeEvent(svc, type, userJSON(svc, u), u.id);

export const userDeletedEvent = (svc: IdentityService, u: UserRecord) =>
  makeEvent(
    svc,
    "user.deleted",
    { id: u.id, object: "user", deleted: true, ...(u.externalId ? { external_id: u.externalId } : {}) },
    u.id,
  );

/** `null` for statuses Clerk sends no event for (expired, replaced, a touch of an active one). */
export function sessionEventType(
  before: SessionRecord["status"] | null,
  after: SessionRecord["status"],
): EventType | null {
  if (before === after) return null;
  switch (after) {
    case "active":
      return before === null ? "session.created" : null;
    case "ended":
      return "session.ended";
    case "removed":
      return "session.removed";
    case "revoked":
      return "session.revoked";
    case "expired":
    case "replaced":
      return null;
    default:
      return after satisfies never;
  }
}

export function sessionEvents(
  svc: IdentityService,
  before: SessionRecord["status"] | null,
  s: SessionRecord,
): OutboxEvent[] {
  const type = sessionEventType(before, s.status);
  return type ? [makeEvent(svc, type, sessionJSON(s), s.userId)] : [];
}
