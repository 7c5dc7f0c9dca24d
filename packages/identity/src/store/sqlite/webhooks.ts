/**
 * The webhook half of the SQLite store. `enqueue` is synchronous so the user/session writes can
 * call it inside their own transaction (the outbox commits with the change or not at all).
 */
import type Database from "better-sqlite3";
import type { InstanceId } from "../../ids.js";
import { newWebhookId } from "../../ids.js";
import type {
  DeliveryRecord,
  DueDelivery,
  OutboxEvent,
  WebhookEndpointRecord,
  WebhookStore,
} from "../webhook-types.js";
import type { Row } from "./rows.js";

function endpointFromRow(r: Row): WebhookEndpointRecord {
  return {
    id: r.id as WebhookEndpointRecord["id"],
    instanceId: r.instance_id as InstanceId,
    url: String(r.url),
    events: JSON.parse(String(r.events)) as string[],
    secret: String(r.secret),
    createdAt: Number(r.created_at),
  };
}

function deliveryFromRow(r: Row): DeliveryRecord {
  return {
    id: r.id as DeliveryRecord["id"],
    instanceId: r.instance_id as InstanceId,
    endpointId: r.endpoint_id as DeliveryRecord["endpointId"],
    eventId: r.event_id as DeliveryRecord["eventId"],
    eventType: String(r.type),
    status: r.status as DeliveryRecord["status"],
    attempts: Number(r.attempts),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

const DELIVERY_COLUMNS = "d.*, ev.type AS type";

export function sqliteWebhooks(
  db: Database.Database,
): WebhookStore & { enqueue(events: readonly OutboxEvent[]): void; notify(): void } {
  const listeners: Array<() => void> = [];
  const notify = () => {
    for (const l of listeners) l();
  };
  const insertEvent = db.prepare(
    "INSERT INTO webhook_events (id, instance_id, type, body, ordering_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertDelivery = db.prepare(
    `INSERT INTO webhook_deliveries (id, instance_id, endpoint_id, event_id, ordering_key, status, attempts, last_status_code, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', 0, NULL, ?, ?, ?)`,
  );
  const endpointsOf = db.prepare("SELECT * FROM webhook_endpoints WHERE instance_id = ? ORDER BY created_at, id");

  /**
   * Writes each event with one delivery per endpoint that wants it; call inside a transaction. An
   * event no endpoint wants is not kept (instances without webhooks store nothing).
   */
  function enqueue(events: readonly OutboxEvent[]): void {
    for (const ev of events) {
      const key = ev.orderingKey ?? ev.id;
      const wanting = (endpointsOf.all(ev.instanceId) as Row[])
        .map(endpointFromRow)
        .filter((ep) => ep.events.length === 0 || ep.events.includes(ev.type));
      if (!wanting.length) continue;
      insertEvent.run(ev.id, ev.instanceId, ev.type, ev.body, key, ev.createdAt);
      for (const ep of wanting)
        insertDelivery.run(
          newWebhookId.delivery(),
          ev.instanceId,
          ep.id,
          ev.id,
          key,
          ev.createdAt,
          ev.createdAt,
          ev.createdAt,
        );
    }
  }
  const enqueueTx = db.transaction(enqueue);

  const replayTx = db.transaction((instanceId: string, id: string, newId: string, now: number) => {
    const d = db.prepare("SELECT * FROM webhook_deliveries WHERE instance_id = ? AND id = ?").get(instanceId, id) as
      Row | undefined;
    if (!d) return false;
    insertDelivery.run(newId, instanceId, d.endpoint_id, d.event_id, d.ordering_key, now, now, now);
    return true;
  });

  const getDelivery = (instanceId: string, id: string) => {
    const r = db
      .prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id WHERE d.instance_id = ? AND d.id = ?`,
      )
      .get(instanceId, id) as Row | undefined;
    return r ? deliveryFromRow(r) : null;
  };

  return {
    enqueue,
    notify,
    async enqueueEvents(events) {
      if (!events.length) return;
      enqueueTx(events);
      notify();
    },
    async insertWebhookEndpoint(e) {
      db.prepare(
        "INSERT INTO webhook_endpoints (id, instance_id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(e.id, e.instanceId, e.url, JSON.stringify(e.events), e.secret, e.createdAt);
    },
    async listWebhookEndpoints(instanceId) {
      return (endpointsOf.all(instanceId) as Row[]).map(endpointFromRow);
    },
    async getWebhookEndpoint(instanceId, id) {
      const r = db.prepare("SELECT * FROM webhook_endpoints WHERE instance_id = ? AND id = ?").get(instanceId, id) as
        Row | undefined;
      return r ? endpointFromRow(r) : null;
    },
    async deleteWebhookEndpoint(instanceId, id) {
      return (
        db.prepare("DELETE FROM webhook_endpoints WHERE instance_id = ? AND id = ?").run(instanceId, id).changes > 0
      );
    },
    async listDeliveries(instanceId, endpointId, limit, offset) {
      const rows = db
        .prepare(
          `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
           WHERE d.instance_id = ? AND d.endpoint_id = ? ORDER BY d.seq DESC LIMIT ? OFFSET ?`,
        )
        .all(instanceId, endpointId, limit, offset) as Row[];
      const total = db
        .prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE instance_id = ? AND endpoint_id = ?")
        .get(instanceId, endpointId) as Row;
      return { data: rows.map(deliveryFromRow), total: Number(total.n) };
    },
    async getDelivery(instanceId, id) {
      return getDelivery(instanceId, id);
    },
    async replayDelivery(instanceId, id, newId, now) {
      if (!replayTx(instanceId, id, newId, now)) return null;
      notify();
      return getDelivery(instanceId, newId);
    },
    async dueDeliveries(now, limit, exclude, busyEndpoints = new Set()) {
      // Head of line: no earlier pending delivery for the same endpoint and ordering key.
      const rows = db
        .prepare(
          `SELECT ${DELIVERY_COLUMNS}, ev.body AS body, ep.url AS url, ep.secret AS secret
           FROM webhook_deliveries d
           JOIN webhook_events ev ON ev.id = d.event_id
           JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
           WHERE d.status = 'pending' AND d.next_attempt_at <= ?
             AND d.endpoint_id NOT IN (SELECT value FROM json_each(?))
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id
               AND e.ordering_key = d.ordering_key AND e.status = 'pending' AND e.seq < d.seq)
           ORDER BY d.seq LIMIT ?`,
        )
        .all(now, JSON.stringify([...busyEndpoints]), limit + exclude.size) as Row[];
      return rows
        .filter((r) => !exclude.has(String(r.id)))
        .slice(0, limit)
        .map((r): DueDelivery => ({
          ...deliveryFromRow(r),
          url: String(r.url),
          secret: String(r.secret),
          body: String(r.body),
        }));
    },
    async nextDeliveryAt(exclude, busyEndpoints = new Set()) {
      const rows = db
        .prepare(
          `SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
           WHERE d.status = 'pending' AND d.endpoint_id NOT IN (SELECT value FROM json_each(?))
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id
             AND e.ordering_key = d.ordering_key AND e.status = 'pending' AND e.seq < d.seq)
           ORDER BY d.next_attempt_at LIMIT ?`,
        )
        .all(JSON.stringify([...busyEndpoints]), exclude.size + 1) as Row[];
      const next = rows.find((r) => !exclude.has(String(r.id)));
      return next ? Number(next.next_attempt_at) : null;
    },
    async recordAttempt(id, r) {
      db.prepare(
        "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
      ).run(r.status, r.attempts, r.lastStatusCode, r.nextAttemptAt, r.at, id);
    },
    async pruneWebhookLog(before) {
      return db.transaction(() => {
        const n = db
          .prepare("DELETE FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ?")
          .run(before).changes;
        db.prepare(
          "DELETE FROM webhook_events WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)",
        ).run(before);
        return n;
      })();
    },
    onOutbox(listener) {
      listeners.push(listener);
    },
  };
}
