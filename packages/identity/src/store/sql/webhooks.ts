/**
 * The webhook tables: endpoints, the outbox of events and their deliveries. `enqueue` takes the
 * transaction of the user/session write that caused the events (the outbox commits with the change
 * or not at all). Deliveries are claimed for a while before sending, so several nodes sharing the
 * database never send one at the same time (Postgres: `FOR UPDATE SKIP LOCKED`, then the claim).
 */
import type { InstanceId } from "../../ids.js";
import { newWebhookId } from "../../ids.js";
import type {
  DeliveryRecord,
  DueDelivery,
  OutboxEvent,
  WebhookEndpointRecord,
  WebhookStore,
} from "../webhook-types.js";
import type { Row, SqlDb, SqlExec } from "./db.js";

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

/** Head of line: no earlier pending delivery for the same endpoint and ordering key. */
const HEAD_OF_LINE = `NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id
  AND e.ordering_key = d.ordering_key AND e.status = 'pending' AND e.seq < d.seq)`;
const UNCLAIMED = "(d.claimed_until IS NULL OR d.claimed_until <= ?)";

const INSERT_DELIVERY = `INSERT INTO webhook_deliveries (id, instance_id, endpoint_id, event_id, ordering_key, status, attempts, last_status_code, next_attempt_at, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, 'pending', 0, NULL, ?, ?, ?)`;
const ENDPOINTS_OF = "SELECT * FROM webhook_endpoints WHERE instance_id = ? ORDER BY created_at, id";

const dueFromRow = (r: Row): DueDelivery => ({
  ...deliveryFromRow(r),
  url: String(r.url),
  secret: String(r.secret),
  body: String(r.body),
});

export function sqlWebhooks(db: SqlDb): WebhookStore & {
  enqueue(t: SqlExec, events: readonly OutboxEvent[]): Promise<void>;
  notify(): void;
} {
  const listeners: Array<() => void> = [];
  const notify = () => {
    for (const l of listeners) l();
  };

  /**
   * Writes each event with one delivery per endpoint that wants it, in `t`. An event no endpoint
   * wants is not kept (instances without webhooks store nothing).
   */
  async function enqueue(t: SqlExec, events: readonly OutboxEvent[]): Promise<void> {
    for (const ev of events) {
      const key = ev.orderingKey ?? ev.id;
      const wanting = (await t.all(ENDPOINTS_OF, ev.instanceId))
        .map(endpointFromRow)
        .filter((ep) => ep.events.length === 0 || ep.events.includes(ev.type));
      if (!wanting.length) continue;
      await t.run(
        "INSERT INTO webhook_events (id, instance_id, type, body, ordering_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        ev.id,
        ev.instanceId,
        ev.type,
        ev.body,
        key,
        ev.createdAt,
      );
      for (const ep of wanting)
        await t.run(
          INSERT_DELIVERY,
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

  const getDelivery = async (instanceId: string, id: string) => {
    const r = await db.one(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id WHERE d.instance_id = ? AND d.id = ?`,
      instanceId,
      id,
    );
    return r ? deliveryFromRow(r) : null;
  };

  const DUE = `SELECT ${DELIVERY_COLUMNS}, ev.body AS body, ep.url AS url, ep.secret AS secret
    FROM webhook_deliveries d
    JOIN webhook_events ev ON ev.id = d.event_id
    JOIN webhook_endpoints ep ON ep.id = d.endpoint_id`;

  return {
    enqueue,
    notify,
    async enqueueEvents(events) {
      if (!events.length) return;
      await db.tx((t) => enqueue(t, events));
      notify();
    },
    async insertWebhookEndpoint(e) {
      await db.run(
        "INSERT INTO webhook_endpoints (id, instance_id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        e.id,
        e.instanceId,
        e.url,
        JSON.stringify(e.events),
        e.secret,
        e.createdAt,
      );
    },
    async listWebhookEndpoints(instanceId) {
      return (await db.all(ENDPOINTS_OF, instanceId)).map(endpointFromRow);
    },
    async getWebhookEndpoint(instanceId, id) {
      const r = await db.one("SELECT * FROM webhook_endpoints WHERE instance_id = ? AND id = ?", instanceId, id);
      return r ? endpointFromRow(r) : null;
    },
    async deleteWebhookEndpoint(instanceId, id) {
      return (await db.run("DELETE FROM webhook_endpoints WHERE instance_id = ? AND id = ?", instanceId, id)) > 0;
    },
    async listDeliveries(instanceId, endpointId, limit, offset) {
      const rows = await db.all(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
         WHERE d.instance_id = ? AND d.endpoint_id = ? ORDER BY d.seq DESC LIMIT ? OFFSET ?`,
        instanceId,
        endpointId,
        limit,
        offset,
      );
      const total = await db.one(
        "SELECT count(*) AS n FROM webhook_deliveries WHERE instance_id = ? AND endpoint_id = ?",
        instanceId,
        endpointId,
      );
      return { data: rows.map(deliveryFromRow), total: Number(total?.n ?? 0) };
    },
    async getDelivery(instanceId, id) {
      return getDelivery(instanceId, id);
    },
    async replayDelivery(instanceId, id, newId, now) {
      const ok = await db.tx(async (t) => {
        const d = await t.one("SELECT * FROM webhook_deliveries WHERE instance_id = ? AND id = ?", instanceId, id);
        if (!d) return false;
        await t.run(INSERT_DELIVERY, newId, instanceId, d.endpoint_id, d.event_id, d.ordering_key, now, now, now);
        return true;
      });
      if (!ok) return null;
      notify();
      return getDelivery(instanceId, newId);
    },
    async dueDeliveries(now, limit) {
      const rows = await db.all(
        `${DUE} WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND ${UNCLAIMED} AND ${HEAD_OF_LINE}
         ORDER BY d.seq LIMIT ?`,
        now,
        now,
        limit,
      );
      return rows.map(dueFromRow);
    },
    async claimDeliveries(now, limit, claimUntil, busyEndpoints = new Set()) {
      const busy = [...busyEndpoints];
      return db.tx(async (t) => {
        const picked = await t.all(
          `SELECT d.id FROM webhook_deliveries d
           WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND ${UNCLAIMED} AND ${HEAD_OF_LINE}
             ${notToEndpoints(busy)}
           ORDER BY d.seq LIMIT ?${db.claimRows}`,
          now,
          now,
          ...busy,
          limit,
        );
        const claimed: DueDelivery[] = [];
        for (const { id } of picked) {
          // Checked again on the locked row: another node may have claimed it since this snapshot.
          const n = await t.run(
            `UPDATE webhook_deliveries SET claimed_until = ? WHERE id = ? AND status = 'pending'
             AND (claimed_until IS NULL OR claimed_until <= ?)`,
            claimUntil,
            id,
            now,
          );
          if (n === 0) continue;
          const r = await t.one(`${DUE} WHERE d.id = ?`, id);
          if (r) claimed.push(dueFromRow(r));
        }
        return claimed;
      });
    },
    async releaseClaims(ids) {
      for (const id of ids) {
        await db.run("UPDATE webhook_deliveries SET claimed_until = NULL WHERE id = ? AND status = 'pending'", id);
      }
    },
    async nextDeliveryAt(busyEndpoints = new Set()) {
      const busy = [...busyEndpoints];
      // A claimed delivery counts from its claim's end: if its node died, it is taken over then.
      const r = await db.one(
        `SELECT min(CASE WHEN d.claimed_until IS NOT NULL AND d.claimed_until > d.next_attempt_at
                         THEN d.claimed_until ELSE d.next_attempt_at END) AS next_at
         FROM webhook_deliveries d WHERE d.status = 'pending' AND ${HEAD_OF_LINE} ${notToEndpoints(busy)}`,
        ...busy,
      );
      return r?.next_at === null || r?.next_at === undefined ? null : Number(r.next_at);
    },
    async recordAttempt(id, r) {
      await db.run(
        "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, next_attempt_at = ?, updated_at = ?, claimed_until = NULL WHERE id = ?",
        r.status,
        r.attempts,
        r.lastStatusCode,
        r.nextAttemptAt,
        r.at,
        id,
      );
    },
    async pruneWebhookLog(before) {
      return db.tx(async (t) => {
        const n = await t.run("DELETE FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ?", before);
        await t.run(
          "DELETE FROM webhook_events WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)",
          before,
        );
        return n;
      });
    },
    onOutbox(listener) {
      listeners.push(listener);
    },
    pollIntervalMs: db.shared ? 1000 : null,
  };
}

/** `AND d.endpoint_id NOT IN (?, …)` for a non-empty list (both dialects take `?` placeholders). */
function notToEndpoints(ids: readonly string[]): string {
  return ids.length ? `AND d.endpoint_id NOT IN (${ids.map(() => "?").join(", ")})` : "";
}
