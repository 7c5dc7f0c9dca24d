/**
 * The push/deploy HTTP endpoints (docs/push-api.md#deploy): every one
 * requires the admin key, in the `Authorization: Convex <key>` header or the body's `adminKey`.
 */
import type { Route } from "../http/router.js";
import type { RequestAuthenticator } from "../http/identity.js";
import { jsonReply } from "../http/reply.js";
import { adminGuard, adminJsonPost } from "../http/admin-guard.js";
import type { PushService } from "./push-service.js";

export interface DeployRouteDeps {
  readonly push: PushService;
  readonly auth: RequestAuthenticator;
  readonly urls: { readonly cloud: string; readonly site: string };
}

export function deployRoutes(deps: DeployRouteDeps): Route[] {
  const requireAdmin = adminGuard(deps.auth);
  const post = adminJsonPost.bind(null, requireAdmin);

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
  ];
}
