/**
 * Prometheus metrics at `GET /metrics` with the secret key as a Bearer token
 * (docs/operations.md#metrics): token mints and the webhook backlog.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Registry } from "prom-client";
import { safeEqual } from "../crypto/secrets.js";
import type { IdentityStore } from "../store/types.js";

/** Session-token mints, Frontend API (`/v1/client/sessions/ID/tokens[/TEMPLATE]`) and Backend API. */
const MINT = /^(?:\/backend)?\/v1\/(?:client\/)?sessions\/[^/]+\/tokens(?:\/[^/]+)?$/;
const BACKLOG_LIMIT = 10_000;

export interface IdentityMetrics {
  /** Counts the exchange if it mints a token (by path, once the answer is known). */
  observe(req: IncomingMessage, res: ServerResponse): void;
  answer(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createIdentityMetrics(store: IdentityStore, secretKey: string, clock: () => number): IdentityMetrics {
  const registry = new Registry();
  const mints = new Counter({
    name: "tandem_identity_token_mints_total",
    help: "Session tokens minted, by API and outcome.",
    labelNames: ["api", "outcome"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "tandem_identity_webhook_backlog",
    help: `Webhook deliveries due now and not yet sent (counted up to ${BACKLOG_LIMIT}).`,
    registers: [registry],
    async collect() {
      this.set((await store.dueDeliveries(clock(), BACKLOG_LIMIT)).length);
    },
  });
  return {
    observe(req, res) {
      const path = (req.url ?? "").split("?")[0]!;
      if (req.method !== "POST" || !MINT.test(path)) return;
      res.once("finish", () =>
        mints.inc({
          api: path.startsWith("/backend/") ? "backend" : "frontend",
          outcome: res.statusCode === 200 ? "success" : "failure",
        }),
      );
    },
    async answer(req, res) {
      const m = /^Bearer\s+(.+)$/.exec(req.headers.authorization ?? "");
      if (!m || !safeEqual(m[1]!.trim(), secretKey)) {
        res.writeHead(401, { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": "Bearer" });
        return void res.end("/metrics needs the secret key: Authorization: Bearer <secret key>");
      }
      const text = await registry.metrics();
      res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
      res.end(text);
    },
  };
}
