/** Health and meta endpoints (docs/http-api.md#health-and-meta). */
import { jsonReply, textReply } from "./reply.js";
import type { Route } from "./router.js";

export interface MetaInfo {
  readonly instanceName: string;
  readonly version: string;
  /** Public keys of the deployment's own tokens (`ctx.auth.signJwt`), served at `/.well-known/jwks.json`. */
  readonly jwks?: unknown;
}

export function metaRoutes(info: MetaInfo): Route[] {
  return [
    {
      method: "GET",
      path: "/",
      handler: async () => textReply("This Convex deployment is running. See https://docs.convex.dev/."),
    },
    { method: "GET", path: "/version", handler: async () => textReply(info.version) },
    { method: "GET", path: "/instance_name", handler: async () => textReply(info.instanceName) },
    { method: "GET", path: "/instance_version", handler: async () => textReply(info.version) },
    { method: "GET", path: "/health", handler: async () => textReply("OK") },
    ...(info.jwks === undefined
      ? []
      : [{ method: "GET" as const, path: "/.well-known/jwks.json", handler: async () => jsonReply(info.jwks) }]),
    {
      method: "POST",
      path: "/echo",
      handler: async (req) => ({
        status: 200,
        headers: { "Content-Type": req.headers["content-type"] ?? "application/octet-stream" },
        body: await req.body(),
      }),
    },
    {
      method: "POST",
      path: "/api/debug_event",
      handler: async (req) => {
        await req.body();
        return jsonReply(null);
      },
    },
  ];
}
