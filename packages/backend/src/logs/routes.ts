/** `npx convex logs` / `convex dev`'s log tail: an admin-checked long poll on the log stream. */
import type { Route } from "../http/router.js";
import type { RequestAuthenticator } from "../http/identity.js";
import { jsonReply } from "../http/reply.js";
import { adminGuard } from "../http/admin-guard.js";
import type { LogStream } from "./log-stream.js";

export interface LogRouteDeps {
  readonly logs: LogStream;
  readonly auth: RequestAuthenticator;
  /** How long `stream_function_logs` holds a request with nothing new (ms). */
  readonly logPollMs?: number;
}

export function logRoutes(deps: LogRouteDeps): Route[] {
  const requireAdmin = adminGuard(deps.auth);
  return [
    {
      method: "GET",
      path: "/api/stream_function_logs",
      handler: async (req) => {
        await requireAdmin(req);
        const cursor = Number(req.url.searchParams.get("cursor") ?? "0");
        return jsonReply(
          await deps.logs.poll(Number.isFinite(cursor) ? cursor : 0, deps.logPollMs ?? 30_000, req.signal),
        );
      },
    },
  ];
}
