/**
 * The webhook part of the store contract: endpoints, the outbox of events and their deliveries.
 * An event is written once; the store fans it out to one delivery per matching endpoint in the
 * same transaction, so an endpoint added later never receives older events.
 */
import type { DeliveryId, InstanceId, WebhookEndpointId, WebhookEventId } from "../ids.js";

export type { DeliveryId, WebhookEndpointId, WebhookEventId };

export interface WebhookEndpointRecord {
  id: WebhookEndpointId;
  instanceId: InstanceId;
  url: string;
  /** Event types this endpoint receives; empty means all. */
  events: string[];
  /** `whsec_` + base64 key. */
  secret: string;
  createdAt: number;
}

export interface OutboxEvent {
  id: WebhookEventId;
  instanceId: InstanceId;
  type: string;
  /** The exact body sent (signed byte for byte). */
  body: string;
  /** Deliveries with the same key go to one endpoint in order (a user's events); `null`: no order. */
  orderingKey: string | null;
  createdAt: number;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed";

export interface DeliveryRecord {
  id: DeliveryId;
  instanceId: InstanceId;
  endpointId: WebhookEndpointId;
  eventId: WebhookEventId;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
}

/** A delivery ready to send, with what sending needs. */
export interface DueDelivery extends DeliveryRecord {
  url: string;
  secret: string;
  body: string;
}

export interface AttemptResult {
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  nextAttemptAt: number;
  at: number;
}

export interface WebhookStore {
  /** Writes events on their own (changes with no row of ours, e.g. an e-mail sent). */
  enqueueEvents(events: readonly OutboxEvent[]): Promise<void>;
  insertWebhookEndpoint(row: WebhookEndpointRecord): Promise<void>;
  listWebhookEndpoints(instanceId: InstanceId): Promise<WebhookEndpointRecord[]>;
  getWebhookEndpoint(instanceId: InstanceId, id: WebhookEndpointId): Promise<WebhookEndpointRecord | null>;
  /** Removes the endpoint and its deliveries. */
  deleteWebhookEndpoint(instanceId: InstanceId, id: WebhookEndpointId): Promise<boolean>;
  listDeliveries(
    instanceId: InstanceId,
    endpointId: WebhookEndpointId,
    limit: number,
    offset: number,
  ): Promise<{ data: DeliveryRecord[]; total: number }>;
  getDelivery(instanceId: InstanceId, id: DeliveryId): Promise<DeliveryRecord | null>;
  /** Queues the delivery's event again for its endpoint (a new delivery, same event id). */
  replayDelivery(
    instanceId: InstanceId,
    id: DeliveryId,
    newId: DeliveryId,
    now: number,
  ): Promise<DeliveryRecord | null>;
  /** Pending deliveries due by `now`, first in line and not claimed, oldest first (a look, claims nothing). */
  dueDeliveries(now: number, limit: number): Promise<DueDelivery[]>;
  /**
   * Claims up to `limit` of those until `claimUntil` and returns them: no other node (or call)
   * gets them until the claim ends or `recordAttempt` settles them, so each is sent once while its
   * sender lives, and taken over by another node when it dies mid-send. Deliveries to
   * `busyEndpoints` (at their in-flight cap) are left alone.
   */
  claimDeliveries(
    now: number,
    limit: number,
    claimUntil: number,
    busyEndpoints?: ReadonlySet<string>,
  ): Promise<DueDelivery[]>;
  /** Ends the claims on deliveries taken but not sent, so they can be claimed again now. */
  releaseClaims(ids: readonly DeliveryId[]): Promise<void>;
  /**
   * When the next delivery first in its line falls due (a claimed one: when its claim ends), not
   * counting those to `busyEndpoints`. `null`: none.
   */
  nextDeliveryAt(busyEndpoints?: ReadonlySet<string>): Promise<number | null>;
  /** Records an attempt's outcome and ends the delivery's claim. */
  recordAttempt(id: DeliveryId, r: AttemptResult): Promise<void>;
  /** Forgets finished deliveries last touched before `before`, and events left without deliveries. */
  pruneWebhookLog(before: number): Promise<number>;
  /** Called after events or replays are committed (the dispatcher wakes up). */
  onOutbox(listener: () => void): void;
  /**
   * How often a dispatcher looks for work other nodes committed (their `onOutbox` does not reach
   * this process); `null` when this process is the database's only writer.
   */
  readonly pollIntervalMs: number | null;
}
