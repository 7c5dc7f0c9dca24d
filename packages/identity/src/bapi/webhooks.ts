/**
 * Backend API: webhook endpoints, their delivery log and replay (a Tandem extension; Clerk manages
 * these through Svix's dashboard). Secrets appear when an endpoint is created or read singly.
 */
import { ApiError } from "../errors.js";
import { newWebhookId, parseWebhookId } from "../ids.js";
import { ok } from "../http/context.js";
import type { IdentityService } from "../domain/service.js";
import type { DeliveryRecord, WebhookEndpointRecord } from "../store/webhook-types.js";
import { checkEndpointUrl } from "../webhooks/endpoint-url.js";
import { EVENT_TYPES, isEventType } from "../webhooks/events.js";
import { newWebhookSecret } from "../webhooks/signing.js";
import { deletedJSON } from "./json.js";
import type { BapiHandler } from "./users.js";

const endpointJSON = (e: WebhookEndpointRecord, withSecret: boolean) => ({
  object: "webhook_endpoint",
  id: e.id,
  url: e.url,
  events: e.events,
  ...(withSecret ? { secret: e.secret } : {}),
  created_at: e.createdAt,
});

const deliveryJSON = (d: DeliveryRecord) => ({
  object: "webhook_delivery",
  id: d.id,
  endpoint_id: d.endpointId,
  event_id: d.eventId,
  event_type: d.eventType,
  status: d.status,
  attempts: d.attempts,
  last_status_code: d.lastStatusCode,
  next_attempt_at: d.status === "pending" ? d.nextAttemptAt : null,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
});

async function endpoint(svc: IdentityService, id: string): Promise<WebhookEndpointRecord> {
  const eid = parseWebhookId.endpoint(id);
  const e = eid ? await svc.store.getWebhookEndpoint(svc.instanceId, eid) : null;
  if (!e) throw new ApiError("resource_not_found", { param: "endpoint_id" });
  return e;
}

function paging(q: URLSearchParams): { limit: number; offset: number } {
  const limit = Number(q.get("limit") ?? 10);
  const offset = Number(q.get("offset") ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new ApiError("form_param_value_invalid", { param: "limit" });
  if (!Number.isInteger(offset) || offset < 0) throw new ApiError("form_param_value_invalid", { param: "offset" });
  return { limit, offset };
}

export const createEndpoint: BapiHandler = async (svc, req) => {
  const f = req.fields;
  const url = checkEndpointUrl(f.required("url", 2048), svc.instance.kind);
  const events = f.strList("events", 64) ?? [];
  const unknown = events.find((e) => !isEventType(e));
  if (unknown !== undefined)
    throw new ApiError("form_param_value_invalid", {
      param: "events",
      detail: `Unknown event type; known: ${EVENT_TYPES.join(", ")}.`,
    });
  const row: WebhookEndpointRecord = {
    id: newWebhookId.endpoint(),
    instanceId: svc.instanceId,
    url,
    events: [...new Set(events)],
    secret: newWebhookSecret(),
    createdAt: svc.now(),
  };
  await svc.store.insertWebhookEndpoint(row);
  // The origin only: a URL's path or query may carry a token.
  svc.logger.info("webhook endpoint added", { id: row.id, origin: new URL(row.url).origin });
  return ok(endpointJSON(row, true));
};

export const listEndpoints: BapiHandler = async (svc) => {
  const all = await svc.store.listWebhookEndpoints(svc.instanceId);
  return ok({ data: all.map((e) => endpointJSON(e, false)), total_count: all.length });
};

export const getEndpoint: BapiHandler = async (svc, _req, p) => ok(endpointJSON(await endpoint(svc, p.id!), true));

export const deleteEndpoint: BapiHandler = async (svc, _req, p) => {
  const e = await endpoint(svc, p.id!);
  await svc.store.deleteWebhookEndpoint(svc.instanceId, e.id);
  return ok(deletedJSON("webhook_endpoint", e.id));
};

export const listDeliveries: BapiHandler = async (svc, req, p) => {
  const e = await endpoint(svc, p.id!);
  const { limit, offset } = paging(req.query);
  const { data, total } = await svc.store.listDeliveries(svc.instanceId, e.id, limit, offset);
  return ok({ data: data.map(deliveryJSON), total_count: total });
};

export const replayDelivery: BapiHandler = async (svc, _req, p) => {
  const id = parseWebhookId.delivery(p.id!);
  const d = id ? await svc.store.replayDelivery(svc.instanceId, id, newWebhookId.delivery(), svc.now()) : null;
  if (!d) throw new ApiError("resource_not_found", { param: "delivery_id" });
  return ok(deliveryJSON(d));
};
