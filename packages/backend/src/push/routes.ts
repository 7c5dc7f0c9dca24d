/**
 * The push/deploy HTTP endpoints (research §6.3, §6.5): every one requires the admin key, in
 * the `Authorization: Convex <key>` header or the body's `adminKey`.
 */
import type { Route, HttpRequest } from "../http/router.js";
import type { RequestAuthenticator } from "../http/identity.js";
import { PUSH_BODY_LIMIT, parseJsonObject } from "../http/body.js";
import { jsonReply } from "../http/reply.js";
import { adminGuard } from "./adminGuard.js";
import type { EnvironmentVariables } from "./environment.js";
import { parseEnvChanges } from "./environment.js";
import type { LogStream } from "./logStream.js";
import type { PushService } from "./pushService.js";

export interface PushRouteDeps {
  readonly push: PushService;
  readonly env: EnvironmentVariables;
  readonly logs: LogStream;
  readonly auth: RequestAuthenticator;
  readonly urls: { readonly cloud: string; readonly site: string };
  /** How long `stream_function_logs` holds a request with nothing new (ms). */
  readonly logPollMs?: number;
}

export function pushRoutes(deps: PushRouteDeps): Route[] {
  const requireAdmin = adminGuard(deps.auth);
  /** POST with a JSON body (brotli for the big ones), admin-checked. */
  const post = (path: string, handle: (body: Record<string, unknown>, req: HttpRequest) => Promise<unknown>): Route => ({
    method: "POST",
    path,
    handler: async (req) => {
      const raw = await req.body(PUSH_BODY_LIMIT);
      const body = raw.length === 0 ? {} : parseJsonObject(raw);
      await requireAdmin(req, body);
      return jsonReply(await handle(body, req));
    },
  });

  return [
    {
      method: "GET",
      path: "/api/v1/get_canonical_urls",
      handler: async (req) => {
        await requireAdmin(req);
        return jsonReply({ convexCloudUrl: deps.urls.cloud, convexSiteUrl: deps.urls.site });
      },
    },
    post("/api/get_config_hashes", async () => deps.push.configHashes()),
    post("/api/deploy2/start_push", (body) => deps.push.start(body)),
    post("/api/deploy2/evaluate_push", (body) => deps.push.evaluate(body)),
    post("/api/deploy2/evaluate_schema", (body) => deps.push.evaluateSchema(body)),
    post("/api/deploy2/wait_for_schema", (body, req) => deps.push.waitForSchema(body, req.signal)),
    post("/api/deploy2/finish_push", (body) => deps.push.finish(body)),
    post("/api/deploy2/report_push_completed", async () => null),
    post("/api/update_environment_variables", async (body) => {
      await deps.env.update(parseEnvChanges(body.changes));
      return {};
    }),
    {
      method: "GET",
      path: "/api/stream_function_logs",
      handler: async (req) => {
        await requireAdmin(req);
        const cursor = Number(req.url.searchParams.get("cursor") ?? "0");
        return jsonReply(await deps.logs.poll(Number.isFinite(cursor) ? cursor : 0, deps.logPollMs ?? 30_000, req.signal));
      },
    },
  ];
}
